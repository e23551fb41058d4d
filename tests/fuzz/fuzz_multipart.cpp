// The multipart/related splitter of WADO-RS answers. The input's first line is the
// Content-Type header (so the boundary is fuzzed too), the rest is the body.
// Invariants: no crash or sanitizer report; failures are SourceError of kind `malformed`; on
// success the parts are pieces of the body, in order, without overlap.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "source/dicomweb/dicomweb_source.hpp"

using dicomlake::source::FailureKind;
using dicomlake::source::SourceError;
using dicomlake::source::dicomweb::DicomwebSource;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const std::size_t eol = input.find('\n');
    const std::string content_type = input.substr(0, eol);
    const std::string body = eol == std::string::npos ? std::string() : input.substr(eol + 1);
    try {
        const auto parts = DicomwebSource::split_multipart(body, content_type);
        FUZZ_REQUIRE(!parts.empty(), "an answer split into no part without an error");
        // The parts are pieces of the body, in order, without overlap, and each one came after
        // at least a delimiter ("--") and the end of its headers (an empty line).
        std::size_t at = 0, total = 0;
        for (const auto& p : parts) {
            at = body.find(p, at);
            FUZZ_REQUIRE(at != std::string::npos, "a part that is not the next piece of the body");
            at += p.size();
            total += p.size() + 4;
        }
        FUZZ_REQUIRE(total <= body.size(), "parts longer than the body allows");
    } catch (const SourceError& e) {
        FUZZ_REQUIRE(e.kind() == FailureKind::malformed, "a multipart failure that is not `malformed`");
    }
    return 0;
}
