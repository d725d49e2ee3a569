-- Registration throughput (#21): a registration looks its name up in any letter case, and without this index each
-- one scanned every instance (about 4.5 ms per registration at 10,000 hosts). Prisma's schema cannot express an index
-- on an expression, so it lives here only.
CREATE INDEX "instances_lower_name_idx" ON "instances" (lower("name"));
