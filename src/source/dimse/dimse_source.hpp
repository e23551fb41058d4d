// DIMSE source: C-FIND to list studies, C-GET (or C-MOVE to dicomlake's own storage SCP) to
// retrieve their objects, which are read in memory and dropped once walked.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "source/dicomweb/circuit_breaker.hpp"
#include "source/dicomweb/request_gate.hpp"
#include "source/dimse/association.hpp"
#include "source/source.hpp"

class DcmDataset;

namespace dicomlake::source::dimse {

class StoreScp;

struct DimseOptions {
    std::string name;  // the source name rows record (pacs.name, else from the URL)
    AssociationOptions association;
    bool move = false;              // pacs.retrieve = move
    std::string move_destination;   // empty: association.calling_aet
    int store_port = 0;             // the storage SCP's port (move)
    long find_cap = 0;              // pacs.find_cap (0: none known)
    long instances_per_series = 0;  // pacs.instances_per_series (0: all)
    std::string modalities;         // listing filter: ModalitiesInStudy (comma-separated), or empty
    std::string study_description;  // listing filter: StudyDescription pattern, or empty
    int retries = 3;
    // Associations in flight (pacs.concurrency) and the breaker, shared by every session.
    std::shared_ptr<dicomweb::RequestGate> gate;
    std::shared_ptr<dicomweb::CircuitBreaker> breaker;
};

class DimseSource final : public Source {
public:
    explicit DimseSource(DimseOptions options);
    ~DimseSource() override;

    std::string name() const override { return options_.name; }
    void probe() override;
    std::vector<StudyRef> list_studies(const std::string& first_day, const std::string& last_day) override;
    std::vector<StudyRef> find_studies(const std::string& keyword, const std::string& value) override;
    std::unique_ptr<Session> open_session() override;

    // A study-level C-FIND answer as a ref (UID, ISO date, counts); exposed for tests.
    static StudyRef study_ref(DcmDataset& answer);

private:
    struct Answer {
        std::vector<StudyRef> refs;
        bool truncated = false;
    };
    Answer query(DcmDataset& keys, const std::string& what);
    std::vector<StudyRef> list_window(const struct FindWindow& window);
    DimseOptions options_;
    std::shared_ptr<StoreScp> store_;  // running while the source lives (move only)
};

// A worker's session (dimse_session.cpp).
std::unique_ptr<Session> make_session(const DimseOptions& options, std::shared_ptr<StoreScp> store);

// Runs `attempt` through the gate, retrying transient failures (unreachable, timeout, server
// error) up to options.retries times with a growing pause; `attempt` must not have handed
// anything on when it throws (it is run again from the start).
void with_retries(const DimseOptions& options, const std::function<void()>& attempt);

// The integer value of a count attribute (NumberOf...), or -1 when absent or not a count.
long count_of(DcmDataset& answer, unsigned short group, unsigned short element);

}  // namespace dicomlake::source::dimse
