//! Drivers for the ISP's gear. They speak the devices' protocols and know
//! nothing of HTTP handlers or SQL.

pub mod payments;
pub mod radius;
pub mod routeros;
pub mod snmp;
pub mod zabbix;
