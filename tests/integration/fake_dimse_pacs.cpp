#include "fake_dimse_pacs.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/dcmtrans.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmnet/scppool.h>
#include <dcmtk/dcmnet/scpthrd.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "harness.hpp"

namespace dicomlake::testing {

namespace {

struct Instance {
    std::string path, study, series, sop, sop_class, modality, study_date;
};

struct PlannedFault {
    RetrieveFault kind = RetrieveFault::none;
    int objects = 0;
};

std::string text_of(DcmItem& item, const DcmTagKey& key) {
    OFString v;
    item.findAndGetOFString(key, v);
    std::string s(v.c_str());
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    return s;
}

Instance index_file(const std::string& path) {
    DcmFileFormat file;
    if (file.loadFile(path.c_str()).bad()) throw std::runtime_error("the fake PACS cannot read " + path);
    DcmDataset& d = *file.getDataset();
    return {path,
            text_of(d, DCM_StudyInstanceUID),
            text_of(d, DCM_SeriesInstanceUID),
            text_of(d, DCM_SOPInstanceUID),
            text_of(d, DCM_SOPClassUID),
            text_of(d, DCM_Modality),
            text_of(d, DCM_StudyDate)};
}

// A StudyDate matching key: empty, one day, or a range with either end open (YYYYMMDD-YYYYMMDD).
bool date_matches(const std::string& key, const std::string& date) {
    if (key.empty()) return true;
    const auto dash = key.find('-');
    if (dash == std::string::npos) return date == key;
    const std::string lo = key.substr(0, dash), hi = key.substr(dash + 1);
    return (lo.empty() || date >= lo) && (hi.empty() || date <= hi);
}

bool uid_matches(const std::string& key, const std::string& uid) { return key.empty() || key == uid; }

void put(DcmDataset& d, const DcmTagKey& key, const std::string& value) {
    d.putAndInsertString(key, value.c_str());
}

}  // namespace

struct FakeDimsePacs::State {
    std::vector<Instance> instances;
    std::string aet;
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::map<std::string, PlannedFault> faults;
    std::map<std::string, int> destinations;
    int faults_met = 0;
    bool stopping = false;

    PlannedFault fault_of(const std::string& study) const {
        std::lock_guard lock(mutex);
        auto it = faults.find(study);
        return it == faults.end() ? PlannedFault{} : it->second;
    }
    int destination_port(const std::string& aet) const {
        std::lock_guard lock(mutex);
        auto it = destinations.find(aet);
        return it == destinations.end() ? 0 : it->second;
    }
    void met_fault() {
        std::lock_guard lock(mutex);
        ++faults_met;
        changed.notify_all();
    }
    // Silence: returns only when the fake is being destroyed.
    void stay_silent() {
        met_fault();
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stopping; });
    }
    // The instances a retrieve identifier selects (study, and series or instance if given).
    std::vector<const Instance*> select(DcmDataset& query) const {
        const std::string study = text_of(query, DCM_StudyInstanceUID);
        const std::string series = text_of(query, DCM_SeriesInstanceUID);
        const std::string sop = text_of(query, DCM_SOPInstanceUID);
        std::vector<const Instance*> out;
        for (const auto& i : instances)
            if (!study.empty() && i.study == study && uid_matches(series, i.series) && uid_matches(sop, i.sop))
                out.push_back(&i);
        return out;
    }
};

namespace {

std::atomic<FakeDimsePacs::State*> g_state{nullptr};

// C-FIND answers, one identifier per matching study or series.
std::vector<std::unique_ptr<DcmDataset>> find_answers(const FakeDimsePacs::State& s, DcmDataset& query) {
    const std::string level = text_of(query, DCM_QueryRetrieveLevel);
    const std::string study_key = text_of(query, DCM_StudyInstanceUID);
    const std::string date_key = text_of(query, DCM_StudyDate);
    std::map<std::string, std::set<std::string>> series_of;  // study or series -> series or SOPs
    std::map<std::string, long> instances_of;
    std::map<std::string, const Instance*> first;
    for (const auto& i : s.instances) {
        if (!uid_matches(study_key, i.study) || !date_matches(date_key, i.study_date)) continue;
        const std::string& key = level == "SERIES" ? i.series : i.study;
        series_of[key].insert(i.series);
        ++instances_of[key];
        first.emplace(key, &i);
    }
    std::vector<std::unique_ptr<DcmDataset>> out;
    if (level != "STUDY" && level != "SERIES") return out;
    for (const auto& [key, i] : first) {
        auto a = std::make_unique<DcmDataset>();
        put(*a, DCM_QueryRetrieveLevel, level);
        put(*a, DCM_StudyInstanceUID, i->study);
        if (level == "STUDY") {
            put(*a, DCM_StudyDate, i->study_date);
            put(*a, DCM_NumberOfStudyRelatedSeries, std::to_string(series_of[key].size()));
            put(*a, DCM_NumberOfStudyRelatedInstances, std::to_string(instances_of[key]));
        } else {
            put(*a, DCM_SeriesInstanceUID, i->series);
            put(*a, DCM_Modality, i->modality);
            put(*a, DCM_NumberOfSeriesRelatedInstances, std::to_string(instances_of[key]));
        }
        out.push_back(std::move(a));
    }
    return out;
}

std::unique_ptr<DcmFileFormat> load(const Instance& i) {
    auto file = std::make_unique<DcmFileFormat>();
    if (file->loadFile(i.path.c_str()).bad()) throw std::runtime_error("the fake PACS cannot read " + i.path);
    file->getDataset()->loadAllDataIntoMemory();
    return file;
}

// The socket of a connection (DCMTK keeps the accessor protected; a derived class may name it).
struct SocketOf : DcmTransportConnection {
    static DcmNativeSocketType get(DcmTransportConnection* c) { return (c->*&SocketOf::getSocket)(); }
};
DcmNativeSocketType socket_of(DcmTransportConnection* c) { return SocketOf::get(c); }

class Peer : public DcmThreadSCP {
public:
    OFCondition run(T_ASC_Association* association) override {
        association_ = association;
        return DcmThreadSCP::run(association);
    }

    OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) override {
        const T_ASC_PresentationContextID id = info.presentationContextID;
        switch (message->CommandField) {
            case DIMSE_C_FIND_RQ: return find(message->msg.CFindRQ, id);
            case DIMSE_C_GET_RQ: return get(message->msg.CGetRQ, id);
            case DIMSE_C_MOVE_RQ: return move(message->msg.CMoveRQ, id);
            default: return DcmThreadSCP::handleIncomingCommand(message, info);
        }
    }

private:
    FakeDimsePacs::State& state() { return *g_state.load(); }

    OFCondition find(T_DIMSE_C_FindRQ& request, T_ASC_PresentationContextID id) {
        DcmDataset* raw = nullptr;
        OFCondition cond = receiveFINDRequest(request, id, raw);
        std::unique_ptr<DcmDataset> query(raw);
        if (cond.bad()) return cond;
        for (auto& answer : find_answers(state(), *query)) {
            cond = sendFINDResponse(id, request.MessageID, request.AffectedSOPClassUID, answer.get(), STATUS_Pending);
            if (cond.bad()) return cond;
        }
        return sendFINDResponse(id, request.MessageID, request.AffectedSOPClassUID, nullptr, STATUS_Success);
    }

    // What a fault does once its objects are sent; returns the condition that ends the association.
    OFCondition meet(RetrieveFault fault) {
        if (fault == RetrieveFault::go_silent) {
            state().stay_silent();
            return DUL_PEERABORTEDASSOCIATION;  // ends this association without writing to it
        }
        // A crashed PACS: the connection closes, no A-ABORT.
        shutdown(socket_of(DUL_getTransportConnection(association_->DULassociation)), SHUT_RDWR);
        state().met_fault();
        return DUL_PEERABORTEDASSOCIATION;
    }

    OFCondition get(T_DIMSE_C_GetRQ& request, T_ASC_PresentationContextID id) {
        DcmDataset* raw = nullptr;
        T_ASC_PresentationContextID data_id = 0;
        OFCondition cond = receiveDIMSEDataset(&data_id, &raw);
        std::unique_ptr<DcmDataset> query(raw);
        if (cond.bad()) return cond;
        const auto selected = state().select(*query);
        const PlannedFault fault = selected.empty() ? PlannedFault{} : state().fault_of(selected.front()->study);
        Uint16 done = 0, failed = 0;
        for (const Instance* i : selected) {
            if (fault.kind != RetrieveFault::none && done + failed == fault.objects) return meet(fault.kind);
            cond = store_here(*i);
            if (cond.bad()) return cond;
            ++done;
            const Uint16 left = static_cast<Uint16>(selected.size()) - done - failed;
            cond = get_response(request, id, STATUS_Pending, left, done, failed);
            if (cond.bad()) return cond;
        }
        return get_response(request, id, STATUS_Success, 0, done, failed);
    }

    // A C-STORE sub-operation of a C-GET, on this association, and its response.
    OFCondition store_here(const Instance& i) {
        const T_ASC_PresentationContextID id = ASC_findAcceptedPresentationContextID(association_, i.sop_class.c_str());
        if (id == 0) return makeOFCondition(OFM_dcmnet, 900, OF_error, "no storage context for the SOP class");
        auto file = load(i);
        T_DIMSE_Message m{};
        m.CommandField = DIMSE_C_STORE_RQ;
        T_DIMSE_C_StoreRQ& rq = m.msg.CStoreRQ;
        rq.MessageID = ++message_id_;
        OFStandard::strlcpy(rq.AffectedSOPClassUID, i.sop_class.c_str(), sizeof rq.AffectedSOPClassUID);
        OFStandard::strlcpy(rq.AffectedSOPInstanceUID, i.sop.c_str(), sizeof rq.AffectedSOPInstanceUID);
        rq.DataSetType = DIMSE_DATASET_PRESENT;
        rq.Priority = DIMSE_PRIORITY_MEDIUM;
        OFCondition cond = sendDIMSEMessage(id, &m, file->getDataset());
        if (cond.bad()) return cond;
        T_DIMSE_Message rsp{};
        T_ASC_PresentationContextID rsp_id = 0;
        DcmDataset* detail = nullptr;
        cond = receiveDIMSECommand(&rsp_id, &rsp, &detail);
        delete detail;
        if (cond.good() && rsp.CommandField != DIMSE_C_STORE_RSP) return DIMSE_BADCOMMANDTYPE;
        return cond;
    }

    OFCondition get_response(const T_DIMSE_C_GetRQ& request, T_ASC_PresentationContextID id, Uint16 status,
                             Uint16 left, Uint16 done, Uint16 failed) {
        T_DIMSE_Message m{};
        m.CommandField = DIMSE_C_GET_RSP;
        T_DIMSE_C_GetRSP& r = m.msg.CGetRSP;
        r.MessageIDBeingRespondedTo = request.MessageID;
        OFStandard::strlcpy(r.AffectedSOPClassUID, request.AffectedSOPClassUID, sizeof r.AffectedSOPClassUID);
        r.DataSetType = DIMSE_DATASET_NULL;
        r.DimseStatus = status;
        r.NumberOfRemainingSubOperations = left;
        r.NumberOfCompletedSubOperations = done;
        r.NumberOfFailedSubOperations = failed;
        r.opts = O_GET_AFFECTEDSOPCLASSUID | O_GET_NUMBEROFCOMPLETEDSUBOPERATIONS | O_GET_NUMBEROFFAILEDSUBOPERATIONS |
                 O_GET_NUMBEROFWARNINGSUBOPERATIONS | (status == STATUS_Pending ? O_GET_NUMBEROFREMAININGSUBOPERATIONS : 0);
        return sendDIMSEMessage(id, &m, nullptr);
    }

    OFCondition move(T_DIMSE_C_MoveRQ& request, T_ASC_PresentationContextID id) {
        DcmDataset* raw = nullptr;
        OFString destination;
        OFCondition cond = receiveMOVERequest(request, id, raw, destination);
        std::unique_ptr<DcmDataset> query(raw);
        if (cond.bad()) return cond;
        const auto selected = state().select(*query);
        const int port = state().destination_port(destination.c_str());
        auto answer = [&](Uint16 status, Uint16 left, Uint16 done, Uint16 failed) {
            return sendMOVEResponse(id, request.MessageID, request.AffectedSOPClassUID, nullptr, status, nullptr, left,
                                    done, failed);
        };
        if (port == 0) return answer(STATUS_MOVE_Refused_MoveDestinationUnknown, 0, 0, 0);
        DcmSCU out;  // the sub-operations' own association, as a PACS opens one
        if (!selected.empty() && open_store_association(out, destination.c_str(), port, selected).bad())
            return answer(STATUS_MOVE_Failed_UnableToProcess, 0, 0, static_cast<Uint16>(selected.size()));
        const PlannedFault fault = selected.empty() ? PlannedFault{} : state().fault_of(selected.front()->study);
        Uint16 done = 0, failed = 0;
        for (const Instance* i : selected) {
            if (fault.kind != RetrieveFault::none && done + failed == fault.objects) return meet(fault.kind);
            auto file = load(*i);
            Uint16 status = 0;
            const T_ASC_PresentationContextID pc = out.findPresentationContextID(i->sop_class.c_str(), "");
            if (out.sendSTORERequest(pc, "", file->getDataset(), status).good() && status == STATUS_Success)
                ++done;
            else
                ++failed;
            cond = answer(STATUS_Pending, static_cast<Uint16>(selected.size()) - done - failed, done, failed);
            if (cond.bad()) return cond;
        }
        if (out.isConnected()) out.releaseAssociation();
        return answer(failed == 0 ? STATUS_Success : STATUS_MOVE_Warning_SubOperationsCompleteOneOrMoreFailures, 0,
                      done, failed);
    }

    OFCondition open_store_association(DcmSCU& out, const char* destination, int port,
                                       const std::vector<const Instance*>& selected) {
        out.setAETitle(state().aet.c_str());
        out.setPeerAETitle(destination);
        out.setPeerHostName("127.0.0.1");
        out.setPeerPort(static_cast<Uint16>(port));
        out.setACSETimeout(10);
        out.setDIMSETimeout(10);
        out.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
        OFList<OFString> ts;
        ts.push_back(UID_LittleEndianExplicitTransferSyntax);
        ts.push_back(UID_LittleEndianImplicitTransferSyntax);
        std::set<std::string> classes;
        for (const Instance* i : selected)
            if (classes.insert(i->sop_class).second) out.addPresentationContext(i->sop_class.c_str(), ts);
        OFCondition cond = out.initNetwork();
        return cond.good() ? out.negotiateAssociation() : cond;
    }

    T_ASC_Association* association_ = nullptr;
    Uint16 message_id_ = 1000;
};

}  // namespace

class FakeDimsePacs::Pool : public DcmSCPPool<Peer> {};

FakeDimsePacs::FakeDimsePacs(const std::vector<std::string>& files, std::string aet)
    : state_(std::make_shared<State>()), pool_(std::make_unique<Pool>()) {
    OFLog::configure(OFLogger::OFF_LOG_LEVEL);
    signal(SIGPIPE, SIG_IGN);  // DCMTK may write to a connection the other side has closed
    for (const auto& f : files) state_->instances.push_back(index_file(f));
    state_->aet = std::move(aet);
    State* none = nullptr;
    if (!g_state.compare_exchange_strong(none, state_.get()))
        throw std::runtime_error("one fake DIMSE PACS at a time");
    port_ = free_port();
    DcmSCPConfig& config = pool_->getConfig();
    config.setAETitle(state_->aet.c_str());
    config.setPort(static_cast<Uint16>(port_));
    config.setConnectionBlockingMode(DUL_NOBLOCK);
    config.setConnectionTimeout(1);
    config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    config.setDIMSETimeout(30);
    config.setHostLookupEnabled(OFFalse);
    OFList<OFString> ts;
    ts.push_back(UID_LittleEndianExplicitTransferSyntax);
    ts.push_back(UID_LittleEndianImplicitTransferSyntax);
    for (const char* uid : {UID_VerificationSOPClass, UID_FINDStudyRootQueryRetrieveInformationModel,
                            UID_GETStudyRootQueryRetrieveInformationModel,
                            UID_MOVEStudyRootQueryRetrieveInformationModel})
        config.addPresentationContext(uid, ts);
    // C-GET: the caller proposes the SCP role for the storage classes it takes.
    std::set<std::string> classes;
    for (const auto& i : state_->instances)
        if (classes.insert(i.sop_class).second) config.addPresentationContext(i.sop_class.c_str(), ts, ASC_SC_ROLE_SCP);
    pool_->setMaxThreads(8);
    listener_ = std::thread([this] { pool_->listen(); });
}

FakeDimsePacs::~FakeDimsePacs() {
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
        state_->changed.notify_all();
    }
    pool_->stopAfterCurrentAssociations();
    if (listener_.joinable()) listener_.join();
    g_state.store(nullptr);
}

std::string FakeDimsePacs::url() const { return "dicom://" + state_->aet + "@127.0.0.1:" + std::to_string(port_); }

void FakeDimsePacs::add_destination(const std::string& aet, int port) {
    std::lock_guard lock(state_->mutex);
    state_->destinations[aet] = port;
}

void FakeDimsePacs::set_fault(const std::string& study_uid, RetrieveFault fault, int objects) {
    std::lock_guard lock(state_->mutex);
    state_->faults[study_uid] = PlannedFault{fault, objects};
}

bool FakeDimsePacs::wait_for_faults(int count, int seconds) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, std::chrono::seconds(seconds), [&] { return state_->faults_met >= count; });
}

int FakeDimsePacs::faults_met() const {
    std::lock_guard lock(state_->mutex);
    return state_->faults_met;
}

}  // namespace dicomlake::testing
