// One QIDO-RS listing page (application/dicom+json), as the lister reads every page.
// Invariants: no crash or sanitizer report; failures are SourceError of kind `malformed`;
// every study listed has a StudyInstanceUID.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.hpp"
#include "source/dicomweb/dicomweb_source.hpp"

using dicomlake::source::FailureKind;
using dicomlake::source::SourceError;
using dicomlake::source::dicomweb::DicomwebSource;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    try {
        for (const auto& ref : DicomwebSource::parse_qido_page(body))
            FUZZ_REQUIRE(!ref.study_uid.empty(), "a listed study without a StudyInstanceUID");
    } catch (const SourceError& e) {
        FUZZ_REQUIRE(e.kind() == FailureKind::malformed, "a listing failure that is not `malformed`");
    }
    return 0;
}
