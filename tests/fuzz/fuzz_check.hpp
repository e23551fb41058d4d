// What the fuzz targets share: an invariant that does not hold is a finding (abort, so
// libFuzzer saves the input), and an exception of a type the interface does not document
// escapes to std::terminate, which libFuzzer also reports.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_REQUIRE(cond, what)                                                   \
    do {                                                                           \
        if (!(cond)) {                                                             \
            std::fprintf(stderr, "fuzz invariant broken: %s (%s)\n", what, #cond); \
            std::abort();                                                          \
        }                                                                          \
    } while (0)
