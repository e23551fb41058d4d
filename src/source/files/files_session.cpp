#include "source/files/files_session.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <string>

#include "model/dcmtk_reader.hpp"

namespace dicomlake::source::files {

namespace {

// Messages name neither the study nor the file: paths appear only in the import's summary.
[[noreturn]] void changed() {
    throw SourceError(FailureKind::not_found,
                      "a file of the study changed or went away since the folder was scanned (import it again)");
}

}  // namespace

void FilesSession::fetch_study(const StudyRef& study, const InstanceHandler& on_instance) {
    auto it = scan_->studies.find(study.study_uid);
    if (it == scan_->studies.end())
        throw SourceError(FailureKind::not_found, "the study is not among the scanned files");
    for (const auto& file : it->second.files) {
        if (file.kind == FileKind::part10)
            part10(file, study, on_instance);
        else
            json(file, study, on_instance);
    }
}

void FilesSession::part10(const InstanceFile& file, const StudyRef& study, const InstanceHandler& on_instance) {
    auto dcm = model::read_part10_headers(file.path);
    if (!dcm) changed();
    DcmDataset& ds = *dcm->getDataset();
    OFString uid;
    if (ds.findAndGetOFString(DCM_StudyInstanceUID, uid).bad()) changed();
    std::string found = uid.c_str();
    while (!found.empty() && (found.back() == ' ' || found.back() == '\0')) found.pop_back();
    if (found != study.study_uid) changed();
    model::prepare_dataset(ds);
    model::DcmtkReader reader(ds);
    on_instance(reader, InstanceMeta{});
}

void FilesSession::json(const InstanceFile&, const StudyRef&, const InstanceHandler&) {
    throw SourceError(FailureKind::other, "DICOM JSON files cannot be read yet");
}

}  // namespace dicomlake::source::files
