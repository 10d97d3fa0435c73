#include "dbtool/data/value_codec.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

using dbtool::data::postgres_real_text;
using dbtool::data::sqlite_timestamp_as_utc;
using dbtool::data::unix_time_text;

TEST_CASE("reals for PostgreSQL: exact, integral ones as integers, its spelling of the rest") {
  CHECK(postgres_real_text(0.1) == "0.1"); // not 0.10000000000000001 into a numeric column
  CHECK(postgres_real_text(12345678.91) == "12345678.91");
  CHECK(postgres_real_text(5.0) == "5"); // integer and boolean columns take it
  CHECK(postgres_real_text(1.0) == "1");
  CHECK(postgres_real_text(-3.0) == "-3");
  CHECK(postgres_real_text(1e16) == "10000000000000000"); // not 1e+16: bigint reads it
  CHECK(postgres_real_text(-0.0) == "-0");
  CHECK(postgres_real_text(1e20) == "1e+20");
  CHECK(postgres_real_text(-2.5e-300) == "-2.5e-300");
  CHECK(postgres_real_text(5e-324) == "5e-324");
  CHECK(postgres_real_text(std::numeric_limits<double>::infinity()) == "Infinity");
  CHECK(postgres_real_text(-std::numeric_limits<double>::infinity()) == "-Infinity");
  CHECK(postgres_real_text(std::nan("")) == "NaN");
  // Every text reads back as the same double.
  for (double value : {0.1, 1.0 / 3, 12345678.91, 1e16, 1e20, -2.5e-300, 5e-324, 9.1e18})
    CHECK(std::strtod(postgres_real_text(value).c_str(), nullptr) == value);
}

TEST_CASE("SQLite's zone-less timestamps are UTC for a timestamptz column") {
  CHECK(sqlite_timestamp_as_utc("2024-01-02 03:04:05") == "2024-01-02 03:04:05+00");
  CHECK(sqlite_timestamp_as_utc("2024-01-02T03:04:05") == "2024-01-02T03:04:05+00");
  CHECK(sqlite_timestamp_as_utc("2024-01-02 03:04:05.123") == "2024-01-02 03:04:05.123+00");
  CHECK(sqlite_timestamp_as_utc("2024-01-02 03:04") == "2024-01-02 03:04+00");
  CHECK(sqlite_timestamp_as_utc("2024-01-02") == "2024-01-02 00:00:00+00");
  // A zone of its own, or not a timestamp: PostgreSQL reads it as it is.
  CHECK_FALSE(sqlite_timestamp_as_utc("2024-01-02 03:04:05+02:00"));
  CHECK_FALSE(sqlite_timestamp_as_utc("2024-01-02 03:04:05Z"));
  CHECK_FALSE(sqlite_timestamp_as_utc("2024-01-02 03:04:05 UTC"));
  CHECK_FALSE(sqlite_timestamp_as_utc("2024-01-02 03:04:05."));
  CHECK_FALSE(sqlite_timestamp_as_utc("now"));
  CHECK_FALSE(sqlite_timestamp_as_utc("infinity"));
  CHECK_FALSE(sqlite_timestamp_as_utc("2024-1-2"));
  CHECK_FALSE(sqlite_timestamp_as_utc(""));
}

TEST_CASE("unix time as a timestamp") {
  CHECK(unix_time_text(0) == "1970-01-01 00:00:00");
  CHECK(unix_time_text(1700000000) == "2023-11-14 22:13:20");
  CHECK(unix_time_text(-1) == "1969-12-31 23:59:59");
  CHECK_FALSE(unix_time_text(std::numeric_limits<std::int64_t>::max()));
}
