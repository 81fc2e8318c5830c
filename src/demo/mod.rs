//! Demo data: packages, resellers and customers with plausible Bangladeshi
//! names, phones and addresses, so a newcomer sees a living system. Generated
//! from a fixed seed: the same every time.

mod history;

pub use history::History;

use crate::domain::visibility::Visibility;
use time::{OffsetDateTime, UtcOffset};

use crate::{
    clock::format_timestamp,
    domain::money::Money,
    store::{
        customers::{self, NewCustomer},
        operators::{self, OperatorFields},
        packages::{self, PackageFields},
        Db, StoreError,
    },
};

const FIRST: &[&str] = &[
    "Rafiq", "Fatima", "Karim", "Nusrat", "Tanvir", "Sharmin", "Arif", "Mehjabin", "Sakib",
    "Ayesha", "Mahmud", "Farhana", "Imran", "Tasnim", "Habib", "Rumana", "Jahid", "Sadia",
    "Shafiq", "Nasrin", "Rashed", "Sumaiya", "Kamrul", "Lamia", "Tareq", "Shirin", "Anisur",
    "Maliha", "Faisal", "Rokeya", "Mizanur", "Tahmina",
];
const LAST: &[&str] = &[
    "Ahmed",
    "Begum",
    "Hossain",
    "Rahman",
    "Islam",
    "Khatun",
    "Chowdhury",
    "Akter",
    "Uddin",
    "Sarkar",
    "Talukder",
    "Miah",
    "Sultana",
    "Haque",
    "Bhuiyan",
    "Siddique",
    "Karim",
    "Alam",
];
const AREAS: &[&str] = &[
    "Dhanmondi",
    "Gulshan",
    "Banani",
    "Mirpur",
    "Uttara",
    "Mohammadpur",
    "Bashundhara",
    "Motijheel",
    "Badda",
    "Rampura",
    "Khilgaon",
    "Lalmatia",
    "Shyamoli",
    "Tejgaon",
    "Wari",
];
const PACKAGES: &[(&str, i64, i64, i64, &str)] = &[
    ("Home 10 Mbps", 500, 10_240, 10_240, "home-10m"),
    ("Home 20 Mbps", 800, 20_480, 20_480, "home-20m"),
    ("Premium 50 Mbps", 1_200, 51_200, 51_200, "premium-50m"),
    ("Fiber 100 Mbps", 1_500, 102_400, 102_400, "fiber-100m"),
    ("Fiber 200 Mbps", 2_500, 204_800, 204_800, "fiber-200m"),
    (
        "Business 500 Mbps",
        8_000,
        512_000,
        512_000,
        "business-500m",
    ),
];
const OPERATORS: &[(&str, &str, &str)] = &[
    (
        "Mirpur Net Point",
        "mirpur@resellers.example",
        "01711000001",
    ),
    ("Uttara Link", "uttara@resellers.example", "01811000002"),
    ("Badda Broadband", "badda@resellers.example", "01911000003"),
];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// What was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    pub packages: usize,
    pub operators: usize,
    pub customers: usize,
    /// The recent past, when asked for.
    pub history: Option<History>,
}

/// With the demo's customers, their recent past too ([`history`]).
#[derive(Debug, Clone, Copy)]
pub struct WithHistory<'a> {
    /// The ISP's offset, for local billing days.
    pub offset: UtcOffset,
    /// `[billing] due_days`: a bill's due date after its period starts.
    pub due_days: i64,
    /// The data directory's PIN key: recharge cards are made only with it.
    pub pin_key: Option<&'a crate::auth::keys::JwtKey>,
}

/// Loads the demo into an empty database (`customers` customers), and with
/// `history` the last two months of bills, payments, complaints, SMS and
/// card batches; refuses a database that already has customers or packages.
pub fn load(
    db: &Db,
    customers_wanted: usize,
    now: OffsetDateTime,
    history: Option<WithHistory<'_>>,
) -> Result<Loaded, StoreError> {
    let stamp = format_timestamp(now);
    let (package_ids, operator_ids) = db.write(move |tx| {
        if !packages::none_and_no_customers(tx)? {
            return Err(StoreError::Conflict(
                "the database already has packages or customers; the demo loads into an empty one"
                    .into(),
            ));
        }
        let mut package_ids = Vec::new();
        for (name, price, down, up, profile) in PACKAGES {
            let row = packages::create(
                tx,
                &PackageFields {
                    name: (*name).into(),
                    price: Money(price * 100),
                    currency: "BDT".into(),
                    speed_down_kbps: *down,
                    speed_up_kbps: *up,
                    billing_cycle: "monthly".into(),
                    validity_days: 30,
                    router_profile: Some((*profile).into()),
                    wholesale_price: Some(Money(price * 80)),
                },
                &stamp,
            )?;
            package_ids.push(row.id);
        }
        let mut operator_ids = Vec::new();
        for (name, email, phone) in OPERATORS {
            let row = operators::create(
                tx,
                &OperatorFields {
                    name: Some((*name).into()),
                    email: Some((*email).into()),
                    phone: Some((*phone).into()),
                },
                &stamp,
            )?;
            operator_ids.push(row.id);
        }
        Ok((package_ids, operator_ids))
    })?;

    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let mut done = 0;
    let mut seeded = Vec::with_capacity(customers_wanted);
    while done < customers_wanted {
        // Small writes: within one write's savepoint each statement costs
        // more as the savepoint grows (8,000 customers in one took 2.8 s, in
        // 500s a tenth of that).
        let batch = (customers_wanted - done).min(500);
        let (package_ids, operator_ids) = (package_ids.clone(), operator_ids.clone());
        let made;
        (rng, made) = db.write(move |tx| {
            let mut made = Vec::with_capacity(batch);
            for i in done..done + batch {
                let first = rng.pick(FIRST);
                let last = rng.pick(LAST);
                let area = rng.pick(AREAS);
                let connection = match rng.below(10) {
                    0..=5 => "pppoe",
                    6..=7 => "fiber",
                    8 => "hotspot",
                    _ => "wireless",
                };
                let prefix = ["013", "014", "015", "016", "017", "018", "019"][rng.below(7)];
                let phone = format!(
                    "{prefix}{:08}",
                    (i as u64 * 7_919 + rng.next() % 1_000) % 100_000_000
                );
                let login = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), i + 1);
                let created = now - time::Duration::minutes(rng.below(365 * 24 * 60) as i64);
                let package = rng.below(package_ids.len());
                let row = customers::create(
                    tx,
                    &NewCustomer {
                        name: format!("{first} {last}"),
                        email: (rng.below(3) == 0).then(|| format!("{login}@mail.example")),
                        phone,
                        address: Some(format!(
                            "House {}, Road {}, {area}, Dhaka",
                            rng.below(80) + 1,
                            rng.below(30) + 1
                        )),
                        connection_type: connection.into(),
                        package_id: Some(package_ids[package]),
                        onu_mac: (connection == "fiber").then(|| {
                            let b = rng.next().to_be_bytes();
                            format!(
                                "{:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X}",
                                b[0], b[1], b[2], b[3], b[4], b[5]
                            )
                        }),
                        username: matches!(connection, "pppoe" | "hotspot").then_some(login),
                        operator_id: (rng.below(4) == 0)
                            .then(|| operator_ids[rng.below(operator_ids.len())]),
                        router_id: None,
                        login_password_sealed: None,
                        static_ip: None,
                        ipv6_prefix: None,
                    },
                    created,
                )?;
                let status = match rng.below(20) {
                    0..=1 => Some("suspended"),
                    2 => Some("expired"),
                    3 => Some("inactive"),
                    _ => None,
                };
                if let Some(status) = status {
                    customers::set_status(
                        tx,
                        &crate::store::audit::Who::job("demo"),
                        row.id,
                        Visibility::ALL,
                        status,
                        "demo data",
                        created,
                    )?;
                }
                let (name, _, price, ..) = PACKAGES[package];
                made.push(history::Seeded {
                    id: row.id,
                    name: row.name.clone(),
                    phone: row.phone.clone(),
                    package: name.to_string(),
                    price: Money(price * 100),
                    billed: matches!(status, None | Some("suspended")),
                    created,
                });
            }
            Ok((rng, made))
        })?;
        seeded.extend(made);
        done += batch;
    }
    db.write(customers::optimize_search_index)?;
    let history = match history {
        Some(h) => Some(history::load(
            db,
            &seeded,
            h.pin_key,
            now,
            (h.offset, h.due_days),
            &mut rng,
        )?),
        None => None,
    };
    Ok(Loaded {
        packages: PACKAGES.len(),
        operators: OPERATORS.len(),
        customers: customers_wanted,
        history,
    })
}
