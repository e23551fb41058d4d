// Where metadata comes from. One interface per kind of source (DICOMweb now; DIMSE and local
// files later), one folder per implementation, typed failures rather than strings.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/reader.hpp"

namespace dicomlake::source {

// A study as listed by a query. The UID is the original one: it lives only in memory and is
// never logged or stored (logs and the ledger use the pseudonym).
struct StudyRef {
    std::string study_uid;
    std::string study_date;  // ISO date as the PACS lists it, or empty
    long instances = -1;     // NumberOfStudyRelatedInstances when the PACS says, else -1
    long series = -1;        // NumberOfStudyRelatedSeries when the PACS says, else -1
};

// A UID as PS3.5 9.1 allows it: 1 to 64 characters, digits and dots. Anything else from a PACS
// is refused before it reaches a URL or a key.
bool valid_uid(std::string_view uid);

enum class FailureKind {
    unreachable,   // connection refused, DNS, TLS
    refused,       // 401/403: credentials
    not_found,     // 404 (e.g. Orthanc: one StudyInstanceUID under two patients)
    throttled,     // 429 after retries
    server_error,  // 5xx after retries
    timeout,       // connect or total timeout after retries
    malformed,     // the body is not what DICOMweb promises
    truncated,     // the PACS caps the list and no split of the query gets under the cap
    limit,         // an answer beyond a configured bound (limits.*): size, nesting, attributes
    other,
};

const char* to_string(FailureKind k);

// The message never contains a study UID or any other identifier from the metadata.
class SourceError : public std::runtime_error {
public:
    SourceError(FailureKind kind, const std::string& what, long http_status = 0)
        : std::runtime_error(what), kind_(kind), http_status_(http_status) {}
    FailureKind kind() const { return kind_; }
    long http_status() const { return http_status_; }

private:
    FailureKind kind_;
    long http_status_;
};

// What a session knows of an instance beyond its dataset.
struct InstanceMeta {
    // When only the first instances of the instance's series are fetched
    // (pacs.instances_per_series): how many instances the series has on the PACS. -1 when every
    // instance of the series is fetched.
    long series_instances_on_pacs = -1;
};

// Called once per instance of a study with a reader on its dataset (valid during the call).
using InstanceHandler = std::function<void(model::DatasetReader& dataset, const InstanceMeta& meta)>;

// A worker's own connection to the source (not shared between threads).
class Session {
public:
    virtual ~Session() = default;
    // Hands every instance of the study to `on_instance`, each as a reader over its dataset
    // (pixel data and other bulk values need not be there). Throws SourceError; a study is
    // whole or failed: a session that cannot get every instance (sampling aside) throws.
    virtual void fetch_study(const StudyRef& study, const InstanceHandler& on_instance) = 0;
};

class Source {
public:
    virtual ~Source() = default;
    // The name study rows record as their source: pacs.name, else derived from the URL without
    // credentials (source_name_from_url).
    virtual std::string name() const = 0;
    // Reaches the source and checks the credentials; throws dicomlake::PacsError with advice.
    virtual void probe() = 0;
    // Every study with a StudyDate from `first_day` to `last_day` (ISO, inclusive), complete
    // (paged until an empty page). Throws SourceError.
    virtual std::vector<StudyRef> list_studies(const std::string& first_day, const std::string& last_day) = 0;
    // Every study whose attribute `keyword` (StudyInstanceUID, AccessionNumber) equals `value`.
    virtual std::vector<StudyRef> find_studies(const std::string& keyword, const std::string& value) = 0;
    // Every study the source holds, whatever its date (`dicomlake import`: a folder of files).
    // Sources that cannot enumerate everything (a PACS) throw SourceError(other).
    virtual std::vector<StudyRef> list_all();
    virtual std::unique_ptr<Session> open_session() = 0;
};

// The default source name for a URL: scheme, host, port and path, without user, password,
// query or fragment ("dicomweb:pacs.example.org:8042/dicom-web", "dicom:LABPACS@10.0.0.5:104",
// "files:/srv/export").
std::string source_name_from_url(std::string_view url);

}  // namespace dicomlake::source
