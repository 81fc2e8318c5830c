-- The reseller boundary (security review): packages and recharge cards are the
-- ISP's, SMS are sent on an operator's behalf.

-- Packages got their own write scope, and card generation one of its own: API
-- clients that could write billing keep what they could do before.
UPDATE api_clients SET scopes = scopes || ' packages:write cards:write'
WHERE (' ' || scopes || ' ') LIKE '% billing:write %';

-- A batch of cards can be given to an operator (a distributor); NULL = the ISP's own.
ALTER TABLE recharge_cards ADD COLUMN operator_id INTEGER REFERENCES operators (id);
CREATE INDEX recharge_cards_operator ON recharge_cards (operator_id, id);

-- Messages sent by a reseller's staff carry the operator (its history and usage).
ALTER TABLE sms_messages ADD COLUMN operator_id INTEGER REFERENCES operators (id);
CREATE INDEX sms_messages_operator ON sms_messages (operator_id, id);
