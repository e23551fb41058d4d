# Sanitizer and fuzzing builds (clang only), in a build directory of their own:
#   cmake -S . -B build-asan -DCMAKE_CXX_COMPILER=clang++ \
#         -DDICOMLAKE_SANITIZE=address,undefined -DDICOMLAKE_BUILD_FUZZERS=ON
# DICOMLAKE_SANITIZE instruments every target of the project (the binary, the unit and
# integration tests, the generators): the integration tests then run the sanitized binary.
# Debian's libraries stay uninstrumented, which ASan and UBSan allow.
# DICOMLAKE_BUILD_FUZZERS adds coverage instrumentation to dicomlake_core and builds the
# libFuzzer targets of tests/fuzz, so one extra build serves both.

set(DICOMLAKE_SANITIZE "" CACHE STRING
    "Sanitizers for every target, e.g. address,undefined (clang; empty: none)")
option(DICOMLAKE_BUILD_FUZZERS "Build the libFuzzer targets (tests/fuzz); needs clang" OFF)

if(DICOMLAKE_SANITIZE OR DICOMLAKE_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "DICOMLAKE_SANITIZE and DICOMLAKE_BUILD_FUZZERS need clang "
                        "(-DCMAKE_CXX_COMPILER=clang++), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
endif()

if(DICOMLAKE_SANITIZE)
  # Every finding is fatal (UBSan would otherwise print and go on), and stacks stay readable.
  add_compile_options(-fsanitize=${DICOMLAKE_SANITIZE} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${DICOMLAKE_SANITIZE})
endif()

# Coverage instrumentation for the code the fuzzers reach (call after the target exists).
function(dicomlake_fuzz_instrument target)
  if(DICOMLAKE_BUILD_FUZZERS)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
