-- When a bill was found overdue (unpaid past its due date and the grace
-- days) and `invoice.overdue` was sent: once per bill. Bills already overdue
-- when this arrives count as told, so an upgrade sends no flood of events.
ALTER TABLE bills ADD COLUMN overdue_at TEXT;
UPDATE bills SET overdue_at = updated_at
 WHERE status IN ('unpaid', 'partial') AND due_date < date('now');
