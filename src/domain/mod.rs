//! Plain types and rules of the ISP's business, free of HTTP and SQL.

pub mod billing;
pub mod customer;
pub mod money;
pub mod staff;
pub mod visibility;
