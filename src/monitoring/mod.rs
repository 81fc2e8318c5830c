//! SNMP polling of OLTs, ONUs, radios and other devices, infrastructure status
//! checks, the device access log, and the rules of an SNMP device's fields.

pub mod checks;
pub mod config;
pub mod poller;
pub mod rules;
pub mod zabbix;
pub mod zabbix_map;
