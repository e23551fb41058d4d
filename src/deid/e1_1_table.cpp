// PS3.15 Table E.1-1 as data. The rows are generated (scripts/gen-deid-table) into
// e1_1_table.inc from the standard's JSON table; tests/unit/deid/test_e1_1_table.cpp checks
// that the committed rows are exactly what the generator makes, and that the edition below
// matches the one recorded in the .inc header.
#include "deid/e1_1_table.hpp"

namespace dicomlake::deid {

const E11Row kE11Rows[] = {
#include "deid/e1_1_table.inc"
};

const std::size_t kE11RowCount = sizeof(kE11Rows) / sizeof(kE11Rows[0]);

const char* const kE11Edition = "2024b";

}  // namespace dicomlake::deid
