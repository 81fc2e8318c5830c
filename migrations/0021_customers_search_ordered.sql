-- The customer search index again (a trigram index over name, phone, email and
-- login name: a search of three or more characters matches as a substring), but
-- numbered in the list's default order, newest first: its rowid is
--     -((unixepoch(created_at) - 1577836800) * 2^32 + id)
-- so ascending rowids are `created_at DESC, id DESC`, the order FTS5 reads
-- cheapest (it streams a doclist forwards and stops at LIMIT), and a search
-- page needs no sort over every match. The customer id is the low 32 bits
-- (`(-rowid) & 4294967295`); seconds from 2020 fit the other 31 bits, both
-- ways, until 2088. A created_at that is not a time counts as 2020-01-01.
-- Contentless: the customers table holds the text; the triggers hand the old
-- values to 'delete'.
DROP TRIGGER customers_search_insert;
DROP TRIGGER customers_search_delete;
DROP TRIGGER customers_search_update;
DROP TABLE customers_search;

CREATE VIRTUAL TABLE customers_search USING fts5(
    name, phone, email, username,
    content = '', tokenize = 'trigram'
);

INSERT INTO customers_search (rowid, name, phone, email, username)
SELECT -((COALESCE(unixepoch(created_at), 1577836800) - 1577836800) * 4294967296 + id),
       name, phone, email, username
FROM customers;
-- One segment: a query reads one doclist per trigram, not one per segment.
INSERT INTO customers_search (customers_search) VALUES ('optimize');

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (rowid, name, phone, email, username)
    VALUES (-((COALESCE(unixepoch(new.created_at), 1577836800) - 1577836800) * 4294967296 + new.id),
            new.name, new.phone, new.email, new.username);
END;
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, name, phone, email, username)
    VALUES ('delete',
            -((COALESCE(unixepoch(old.created_at), 1577836800) - 1577836800) * 4294967296 + old.id),
            old.name, old.phone, old.email, old.username);
END;
CREATE TRIGGER customers_search_update
AFTER UPDATE OF id, name, phone, email, username, created_at ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, name, phone, email, username)
    VALUES ('delete',
            -((COALESCE(unixepoch(old.created_at), 1577836800) - 1577836800) * 4294967296 + old.id),
            old.name, old.phone, old.email, old.username);
    INSERT INTO customers_search (rowid, name, phone, email, username)
    VALUES (-((COALESCE(unixepoch(new.created_at), 1577836800) - 1577836800) * 4294967296 + new.id),
            new.name, new.phone, new.email, new.username);
END;
