-- TimescaleDB for the rollup hypertables. `meterline stack up` creates it already; a managed
-- database may need it created here (the role must be allowed to).
CREATE EXTENSION IF NOT EXISTS timescaledb;
