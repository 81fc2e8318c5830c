// Who is logged in, and what their role may do (the API enforces it; the
// panel only hides what would be refused).

let current = null;
export const setUser = (user) => { current = user; };
export const user = () => current;
export const can = (scope) => Boolean(current?.scopes?.includes(scope));
