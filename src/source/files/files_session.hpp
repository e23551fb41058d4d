// A worker's session on the files source: reads the files of one study (headers only) and hands
// each instance to the pipeline as a reader.
#pragma once

#include <memory>

#include "source/files/scan.hpp"
#include "source/source.hpp"

namespace dicomlake::source::files {

class FilesSession final : public Session {
public:
    FilesSession(std::shared_ptr<const Scan> scan, int max_depth) : scan_(std::move(scan)), max_depth_(max_depth) {}
    // A study whose files changed or went away since the scan fails whole (SourceError).
    void fetch_study(const StudyRef& study, const InstanceHandler& on_instance) override;

private:
    void part10(const InstanceFile& file, const StudyRef& study, const InstanceHandler& on_instance);
    void json(const InstanceFile& file, const StudyRef& study, const InstanceHandler& on_instance);

    std::shared_ptr<const Scan> scan_;
    int max_depth_;
};

}  // namespace dicomlake::source::files
