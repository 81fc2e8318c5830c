-- Hotspot vouchers: a recharge card with a package is also a hotspot login
-- (username = serial, password = PIN, through the built-in RADIUS server).
-- Its first login activates it (status 'used', `activated_at`) and its time
-- runs from then for the package's validity (`expires_at`); after that it is
-- expired. A card used as a voucher can no longer be redeemed as a payment,
-- and one redeemed as a payment no longer logs in.
ALTER TABLE recharge_cards ADD COLUMN package_id BIGINT REFERENCES packages (id);
ALTER TABLE recharge_cards ADD COLUMN activated_at TEXT;
ALTER TABLE recharge_cards ADD COLUMN expires_at TEXT;
