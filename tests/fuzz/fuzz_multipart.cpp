// The multipart/related splitter of WADO-RS answers. The input's first line is the
// Content-Type header (so the boundary is fuzzed too), the rest is the body.
// Invariants: no crash or sanitizer report; failures are SourceError of kind `malformed`; on
// success every part is a piece of the body and the parts together are no longer than it.
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
        std::size_t total = 0;
        for (const auto& p : parts) {
            total += p.size();
            FUZZ_REQUIRE(body.find(p) != std::string::npos, "a part that is not in the body");
        }
        FUZZ_REQUIRE(total <= body.size(), "parts longer than the body");
    } catch (const SourceError& e) {
        FUZZ_REQUIRE(e.kind() == FailureKind::malformed, "a multipart failure that is not `malformed`");
    }
    return 0;
}
