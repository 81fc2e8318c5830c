//! Checks the snmpsim harness on its own with the raw SNMPv2c client in
//! tests/common/snmpsim.rs (BER by hand, no SNMP crate), so the simulator and the
//! recordings are verified independently of the crate's own SNMP code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/snmpsim.rs"]
mod snmpsim;

use std::{process::Command, time::Duration};

use snmpsim::{
    all_recordings, decode_oid, decode_response, encode_oid, encode_request, request, snmp_get,
    snmp_walk, SnmpSim, SnmpValue, PDU_GET, PDU_GET_BULK, SYS_DESCR, SYS_OBJECT_ID,
};

#[test]
fn oid_codec_round_trips_large_arcs() {
    for oid in [
        "1.3.6.1.2.1.1.1.0",
        "1.3.6.1.4.1.2011.6.128.1.1.2.46.1.15.4194312192.1",
        "1.3.6.1.4.1.3902.1012.3.50.12.1.1.10.268501248.1.1",
        "2.999.1",
    ] {
        assert_eq!(decode_oid(&encode_oid(oid)), oid);
    }
    // A message we encode is well-formed enough for our own decoder to walk its header.
    let msg = encode_request(PDU_GET, 7, "public", &[SYS_DESCR], None);
    assert_eq!(msg[0], 0x30);
    assert!(decode_response(&msg).is_err(), "a GET is not a Response");
}

#[test]
fn two_recordings_answer_by_community() {
    let sim = SnmpSim::start(&["huawei-ma56xx-gpon", "ubiquiti-airmax"]);
    let descr = snmp_get(sim.addr(), "huawei-ma56xx-gpon", SYS_DESCR).unwrap();
    assert!(descr.text().unwrap().contains("MA5683T"), "{descr:?}");
    let descr = snmp_get(sim.addr(), "ubiquiti-airmax", SYS_DESCR).unwrap();
    assert!(descr.text().unwrap().contains("XW.ar934x"), "{descr:?}");
    assert_eq!(
        snmp_get(sim.addr(), "ubiquiti-airmax", SYS_OBJECT_ID).unwrap(),
        SnmpValue::Oid("1.3.6.1.4.1.41112.1.4".into())
    );
    // Unknown community: snmpsim stays silent.
    assert!(snmp_get(sim.addr(), "no-such-recording", SYS_DESCR).is_err());
    // A missing instance is noSuchInstance, not an error.
    assert_eq!(
        snmp_get(sim.addr(), "ubiquiti-airmax", "1.3.6.1.2.1.1.1.1").unwrap(),
        SnmpValue::NoSuchInstance
    );
}

#[test]
fn walks_olt_columns_in_order_and_bulk_works() {
    let sim = SnmpSim::start(&["huawei-ma56xx-gpon"]);
    let status = snmp_walk(
        sim.addr(),
        "huawei-ma56xx-gpon",
        "1.3.6.1.4.1.2011.6.128.1.1.2.46.1.15",
    )
    .unwrap();
    let rows: Vec<(&str, i128)> = status
        .iter()
        .map(|(oid, v)| {
            (
                oid.strip_prefix("1.3.6.1.4.1.2011.6.128.1.1.2.46.1.15.")
                    .unwrap(),
                v.number().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("4194312192.1", 1),
            ("4194312192.2", 1),
            ("4194312448.1", 2),
            ("4194312448.5", 1)
        ]
    );
    let serial = snmp_get(
        sim.addr(),
        "huawei-ma56xx-gpon",
        "1.3.6.1.4.1.2011.6.128.1.1.2.43.1.3.4194312192.1",
    )
    .unwrap();
    assert_eq!(
        serial,
        SnmpValue::OctetString(vec![0x48, 0x57, 0x54, 0x43, 0xA1, 0xB2, 0xC3, 0xD4])
    );
    // GETBULK (non-repeaters 0, max-repetitions 10) from the rx column.
    let r = request(
        sim.addr(),
        "huawei-ma56xx-gpon",
        PDU_GET_BULK,
        &["1.3.6.1.4.1.2011.6.128.1.1.2.51.1.4"],
        Some((0, 10)),
        Duration::from_secs(2),
    )
    .unwrap();
    assert_eq!(r.error_status, 0);
    let rx: Vec<i128> = r
        .varbinds
        .iter()
        .take(4)
        .map(|(_, v)| v.number().unwrap())
        .collect();
    assert_eq!(rx, [-2150, -2840, 2147483647, 2147483647]);
    // Past the last OID of the recording: endOfMibView.
    assert!(r
        .varbinds
        .iter()
        .any(|(_, v)| *v == SnmpValue::EndOfMibView));
}

#[test]
fn every_recording_is_served_and_well_formed() {
    let stems = all_recordings();
    assert!(stems.len() >= 11, "{stems:?}");
    let sim = SnmpSim::start(&[]);
    for stem in &stems {
        let descr = snmp_get(sim.addr(), stem, SYS_DESCR).unwrap();
        assert!(descr.text().is_some(), "{stem}: sysDescr {descr:?}");
        let oid = snmp_get(sim.addr(), stem, SYS_OBJECT_ID).unwrap();
        assert!(
            matches!(oid, SnmpValue::Oid(_)),
            "{stem}: sysObjectID {oid:?}"
        );
        // Everything in the file comes back in a walk, in file order.
        let file =
            std::fs::read_to_string(snmpsim::recordings_dir().join(format!("{stem}.snmprec")))
                .unwrap();
        let want: Vec<&str> = file.lines().map(|l| l.split('|').next().unwrap()).collect();
        let got = snmp_walk(sim.addr(), stem, "1.3.6.1").unwrap();
        let got: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(got, want, "{stem}: walk order differs from the file");
    }
}

#[test]
fn extra_recordings_from_memory() {
    let contents = "1.3.6.1.2.1.1.1.0|4|bench device\n\
                    1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.41112.1.4\n\
                    1.3.6.1.2.1.1.3.0|67|4200\n\
                    1.3.6.1.2.1.1.5.0|4|radio-x\n"
        .to_string();
    let sim = SnmpSim::start_with(&["cambium-epmp"], &[("radio-x", contents)]);
    assert_eq!(
        snmp_get(sim.addr(), "radio-x", SYS_DESCR)
            .unwrap()
            .text()
            .unwrap(),
        "bench device"
    );
    assert_eq!(
        snmp_get(sim.addr(), "radio-x", "1.3.6.1.2.1.1.3.0").unwrap(),
        SnmpValue::TimeTicks(4200)
    );
    assert!(snmp_get(sim.addr(), "cambium-epmp", SYS_DESCR)
        .unwrap()
        .text()
        .unwrap()
        .contains("ePMP"));
}

#[test]
fn v3_user_is_configured_and_v2c_keeps_working() {
    let sim = SnmpSim::start_v3(
        &["zte-c300-gpon", "bdcom-epon"],
        "poller",
        "authpass123",
        "privpass123",
    );
    assert!(snmp_get(sim.addr(), "bdcom-epon", SYS_DESCR)
        .unwrap()
        .text()
        .unwrap()
        .contains("P3310"));
    // The v3 exchange itself is checked with net-snmp's snmpget when it is installed
    // (Debian package `snmp`); the crate's own v3 client is tested elsewhere.
    let Ok(out) = Command::new("snmpget")
        .args([
            "-v3",
            "-l",
            "authPriv",
            "-u",
            "poller",
            "-a",
            "SHA",
            "-A",
            "authpass123",
        ])
        .args([
            "-x",
            "AES",
            "-X",
            "privpass123",
            "-On",
            "-Ov",
            "-t",
            "2",
            "-r",
            "1",
        ])
        .args(["-n", "bdcom-epon", &sim.addr().to_string(), SYS_DESCR])
        .output()
    else {
        eprintln!("snmpget not installed: SNMPv3 exchange not checked");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("P3310"),
        "v3 context bdcom-epon: {text} {out:?}"
    );
    // Empty context name -> the first recording.
    let out = Command::new("snmpget")
        .args([
            "-v3",
            "-l",
            "authPriv",
            "-u",
            "poller",
            "-a",
            "SHA",
            "-A",
            "authpass123",
        ])
        .args([
            "-x",
            "AES",
            "-X",
            "privpass123",
            "-On",
            "-Ov",
            "-t",
            "2",
            "-r",
            "1",
        ])
        .args([&sim.addr().to_string(), SYS_DESCR])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ZXA10"), "v3 default context: {text} {out:?}");
    // Wrong privacy key: no answer.
    let out = Command::new("snmpget")
        .args([
            "-v3",
            "-l",
            "authPriv",
            "-u",
            "poller",
            "-a",
            "SHA",
            "-A",
            "authpass123",
        ])
        .args([
            "-x",
            "AES",
            "-X",
            "wrongpass99",
            "-On",
            "-Ov",
            "-t",
            "1",
            "-r",
            "0",
        ])
        .args(["-n", "bdcom-epon", &sim.addr().to_string(), SYS_DESCR])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("P3310"));
}
