#include "source/files/files_session.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <string>

#include "model/dcmtk_reader.hpp"
#include "model/dicom_json.hpp"

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

void FilesSession::json(const InstanceFile& file, const StudyRef&, const InstanceHandler& on_instance) {
    simdjson::padded_string body;
    if (simdjson::padded_string::load(file.path).get(body) != simdjson::SUCCESS) changed();
    // The scan kept the positions of the study's instances in the file (in order).
    std::size_t position = 0, wanted = 0;
    model::for_each_json_instance(body, max_depth_, [&](model::DatasetReader& reader) {
        if (wanted < file.positions.size() && file.positions[wanted] == position) {
            ++wanted;
            on_instance(reader, InstanceMeta{});
        }
        ++position;
    });
    if (wanted != file.positions.size()) changed();
}

}  // namespace dicomlake::source::files
