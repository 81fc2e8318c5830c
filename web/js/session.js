// Who is logged in, and what their role may do (the API enforces it; the
// panel only hides what would be refused).

let current = null;
export const setUser = (user) => { current = user; };
export const user = () => current;
export const can = (scope) => Boolean(current?.scopes?.includes(scope));

// The ISP (name, utc_offset, address, phone) as the session gave it: printouts use it.
let ispInfo = { name: "ISPBills", utc_offset: "+00:00", address: "", phone: "" };
export const setIsp = (isp) => { if (isp) ispInfo = isp; };
export const isp = () => ispInfo;
