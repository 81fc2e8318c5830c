-- What an operator (reseller) pays the ISP per renewal of a customer on this
-- package; NULL means the retail price.
ALTER TABLE packages ADD COLUMN wholesale_price_minor INTEGER CHECK (wholesale_price_minor >= 0);
