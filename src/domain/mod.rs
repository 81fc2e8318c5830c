//! Plain types and rules of the ISP's business, free of HTTP and SQL.

pub mod staff;
