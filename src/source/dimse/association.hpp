// One DIMSE association with the PACS (DCMTK's DcmSCU behind it): C-ECHO, C-FIND, C-GET and
// C-MOVE at the Study Root information model. Failures become SourceError with a message that
// says what the PACS did (rejected the association, accepted no presentation context, timed
// out...) and never a value from a dataset.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "source/dimse/dimse_url.hpp"
#include "source/source.hpp"

class DcmDataset;
class OFCondition;

namespace dicomlake::source::dimse {

struct AssociationOptions {
    DimseAddress peer;
    std::string calling_aet = "DICOMLAKE";
    long connect_timeout_s = 10;  // TCP connect and association negotiation
    long timeout_s = 120;         // each DIMSE message (a C-FIND answer, a C-STORE of a C-GET)
};

// What the association is for: decides the presentation contexts proposed (C-FIND is proposed
// with C-GET and C-MOVE too, so a session lists a study's series on the association it retrieves on).
enum class Purpose { echo, find, get, move };

struct FindOutcome {
    long answers = 0;
    bool failed = false;       // the final status was a failure (not Success, not Cancel)
    unsigned status = 0;       // the final DIMSE status
};

struct RetrieveOutcome {
    long received = 0;   // C-GET: objects handed to the callback
    long completed = 0, failed = 0, warning = 0;  // the final response's sub-operation counts
    unsigned status = 0;
    bool ok() const { return failed == 0 && (status == 0x0000 || status == 0xB000) ; }
};

class Association {
public:
    // Connects and negotiates; throws SourceError (unreachable, refused, timeout).
    Association(const AssociationOptions& options, Purpose purpose);
    ~Association();  // releases the association (aborts or drops it after a failure)
    Association(const Association&) = delete;
    Association& operator=(const Association&) = delete;

    void echo();
    // Sends `query` (its QueryRetrieveLevel set) and hands each answer's identifier to `each`.
    FindOutcome find(DcmDataset& query, const std::function<void(DcmDataset& answer)>& each);
    // C-GET: every object the PACS sends is handed to `on_object` (owned by the callee from then on:
    // it is deleted when the callback returns). An exception from the callback aborts the
    // association and is rethrown.
    RetrieveOutcome get(DcmDataset& query, const std::function<void(std::unique_ptr<DcmDataset> object)>& on_object);
    // C-MOVE to `destination`; `on_progress` is called after each pending response (the objects
    // arrive at the storage SCP, not here).
    RetrieveOutcome move(DcmDataset& query, const std::string& destination, const std::function<void()>& on_progress);

    class Scu;  // the DcmSCU subclass (association.cpp)

private:
    // How the association ends: released; aborted after a failure; or, when the PACS stopped
    // answering or is gone, dropped (TCP closed without waiting for the PACS).
    enum class Ending { release, abort, drop };
    SourceError failed(const OFCondition& cond, const char* what);  // sets ending_

    std::unique_ptr<Scu> scu_;
    AssociationOptions options_;
    unsigned char context_ = 0;       // the purpose's presentation context
    unsigned char find_context_ = 0;  // C-FIND, on every association but echo
    Ending ending_ = Ending::release;
};

// The storage SOP classes dicomlake receives (C-GET's SCP role, the C-MOVE storage SCP): dose
// reports and the common image classes first, at most 120 (DCMTK's limit is 128 contexts).
std::vector<std::string> storage_classes();

// Silences DCMTK's network and data logs (they may quote values); called once before any use.
void quiet_dcmtk_logs();

// The DIMSE status as text for messages ("0xA700 (out of resources)").
std::string describe_dimse_status(unsigned status);

}  // namespace dicomlake::source::dimse
