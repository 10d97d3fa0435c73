#pragma once

#include <cstdint>
#include <string_view>

namespace dbtool::db {

// A value's storage class, as SQLite's typeof() names it.
enum class ValueType { Null, Integer, Real, Text, Blob };

// A prepared statement: bind, step through rows, read typed columns without copying
// them. Dump and seed stream through it, so no table is ever held in memory.
class Statement {
 public:
  virtual ~Statement() = default;

  virtual void bind_null(int index) = 0; // indices from 1, as SQLite's
  virtual void bind_integer(int index, std::int64_t value) = 0;
  virtual void bind_real(int index, double value) = 0;
  // Text and blobs are not copied: VALUE must stay valid until the statement is
  // stepped and reset (seed binds millions of rows; each copy would cost).
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_blob(int index, std::string_view value) = 0;

  // Runs to the next row; false when done. Failures are Error(Database).
  virtual bool step() = 0;
  // Makes the statement ready to run again; the caller binds every parameter anew.
  virtual void reset() = 0;

  virtual int column_count() const = 0;
  virtual ValueType type(int column) const = 0; // columns from 0
  virtual std::int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;
  // Text or blob bytes; valid until the next step().
  virtual std::string_view bytes(int column) const = 0;
};

} // namespace dbtool::db
