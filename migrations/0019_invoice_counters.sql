-- Invoice numbers (INV-<year>-<n>) come from a counter per year instead of a
-- scan of that year's invoices, so numbering one costs the same however many
-- there are. Seeded from the invoices numbered so far.
CREATE TABLE invoice_counters (
    year TEXT    PRIMARY KEY,
    last INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO invoice_counters (year, last)
SELECT substr(number, 5, 4), MAX(CAST(substr(number, 10) AS INTEGER))
FROM invoices
WHERE number LIKE 'INV-____-%'
GROUP BY substr(number, 5, 4);
