#include "source/dimse/store_scp.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scppool.h>
#include <dcmtk/dcmnet/scpthrd.h>

#include <atomic>
#include <chrono>
#include <future>

#include "source/dimse/association.hpp"
#include "source/source.hpp"

namespace dicomlake::source::dimse {

namespace {

// The one running storage SCP of the process (DCMTK constructs the receivers itself).
std::atomic<StoreScp*> g_current{nullptr};

class Receiver : public DcmThreadSCP {
public:
    OFCondition run(T_ASC_Association* association) override {
        association_ = association;
        return DcmThreadSCP::run(association);
    }

    // DcmSCP's own loop, except at the end: a sender that stopped sending (pacs.timeout), aborted or
    // broke the protocol gets its connection closed at once. DcmSCP would send an A-ABORT and wait
    // 10 s for the sender to close, then up to 180 s more for it to go: a hung PACS would hold the
    // end of the run that long.
    void handleAssociation() override {
        OFCondition cond = EC_Normal;
        while (cond.good()) {
            T_DIMSE_Message message;
            T_ASC_PresentationContextID id = 0;
            cond = DIMSE_receiveCommand(association_, DIMSE_NONBLOCKING, getConfig().getDIMSETimeout(), &id, &message,
                                        nullptr);
            if (cond.good()) {
                DcmPresentationContextInfo info;
                getPresentationContextInfo(association_, id, info);
                cond = handleIncomingCommand(&message, info);
            }
        }
        if (cond == DUL_PEERREQUESTEDRELEASE)
            ASC_acknowledgeRelease(association_);
        else
            ASC_dropAssociation(association_);
    }

    OFCondition handleIncomingCommand(T_DIMSE_Message* message, const DcmPresentationContextInfo& info) override {
        if (message->CommandField != DIMSE_C_STORE_RQ) return DcmThreadSCP::handleIncomingCommand(message, info);
        T_DIMSE_C_StoreRQ& request = message->msg.CStoreRQ;
        DcmDataset* received = nullptr;
        OFCondition cond = receiveSTORERequest(request, info.presentationContextID, received);
        std::unique_ptr<DcmDataset> object(received);
        if (cond.bad()) return cond;
        Uint16 status = STATUS_STORE_Refused_OutOfResources;
        OFString study;
        StoreScp* scp = g_current.load();
        if (object && scp != nullptr && object->findAndGetOFString(DCM_StudyInstanceUID, study).good()) {
            // Only the metadata is kept: the pixels go now.
            object->findAndDeleteElement(DCM_PixelData);
            object->findAndDeleteElement(DCM_FloatPixelData);
            object->findAndDeleteElement(DCM_DoubleFloatPixelData);
            if (scp->deliver(study.c_str(), std::move(object))) status = STATUS_Success;
        }
        return sendSTOREResponse(info.presentationContextID, request, status);
    }

private:
    T_ASC_Association* association_ = nullptr;
};

}  // namespace

class StoreScp::Pool : public DcmSCPPool<Receiver> {};

std::vector<std::unique_ptr<DcmDataset>> Mailbox::take() {
    std::lock_guard lock(mutex_);
    std::vector<std::unique_ptr<DcmDataset>> out;
    while (!objects_.empty()) {
        out.push_back(std::move(objects_.front()));
        objects_.pop_front();
    }
    return out;
}

void Mailbox::wait_for(long count, long timeout_s) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, std::chrono::seconds(timeout_s), [&] { return total_ >= count; });
}

void Mailbox::put(std::unique_ptr<DcmDataset> object) {
    std::lock_guard lock(mutex_);
    objects_.push_back(std::move(object));
    ++total_;
    arrived_.notify_all();
}

StoreScp::StoreScp(int port, const std::string& aet, long timeout_s) : pool_(std::make_unique<Pool>()) {
    quiet_dcmtk_logs();
    if (port < 1 || port > 65535)
        throw SourceError(FailureKind::other, "pacs.store_port must be set (1-65535) for pacs.retrieve = move");
    DcmSCPConfig& config = pool_->getConfig();
    config.setAETitle(aet.c_str());
    config.setPort(static_cast<Uint16>(port));
    config.setConnectionBlockingMode(DUL_NOBLOCK);
    config.setConnectionTimeout(1);
    config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    config.setDIMSETimeout(static_cast<Uint32>(timeout_s));
    config.setACSETimeout(30);
    config.setHostLookupEnabled(OFFalse);
    OFList<OFString> ts;
    for (const char* uid :
         {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
          UID_DeflatedExplicitVRLittleEndianTransferSyntax, UID_BigEndianExplicitTransferSyntax,
          UID_JPEGProcess1TransferSyntax, UID_JPEGProcess2_4TransferSyntax, UID_JPEGProcess14SV1TransferSyntax,
          UID_JPEGLSLosslessTransferSyntax, UID_JPEGLSLossyTransferSyntax, UID_JPEG2000LosslessOnlyTransferSyntax,
          UID_JPEG2000TransferSyntax, UID_RLELosslessTransferSyntax})
        ts.push_back(uid);
    config.addPresentationContext(UID_VerificationSOPClass, ts);
    for (const auto& uid : storage_classes()) config.addPresentationContext(uid.c_str(), ts);
    pool_->setMaxThreads(16);
    StoreScp* none = nullptr;
    if (!g_current.compare_exchange_strong(none, this))
        throw SourceError(FailureKind::other, "a storage SCP is already running in this process");
    // Bind now, so a port in use is an error of the run rather than of the first C-MOVE.
    std::promise<std::string> ended;
    auto end = ended.get_future();
    listener_ = std::thread([this, ended = std::move(ended)]() mutable {
        OFCondition cond = pool_->listen();
        ended.set_value(cond.good() ? std::string() : std::string(cond.text()));
    });
    if (end.wait_for(std::chrono::milliseconds(300)) == std::future_status::ready) {
        listener_.join();
        g_current.store(nullptr);
        throw SourceError(FailureKind::other, "the storage SCP cannot listen on pacs.store_port " +
                                                  std::to_string(port) + ": " + end.get() +
                                                  " (is the port in use by another program or run?)");
    }
}

StoreScp::~StoreScp() {
    pool_->stopAfterCurrentAssociations();
    if (listener_.joinable()) listener_.join();
    g_current.store(nullptr);
}

std::shared_ptr<Mailbox> StoreScp::expect(const std::string& study_uid) {
    auto box = std::make_shared<Mailbox>();
    std::lock_guard lock(mutex_);
    expected_[study_uid] = box;
    return box;
}

bool StoreScp::deliver(const std::string& study_uid, std::unique_ptr<DcmDataset> object) {
    std::shared_ptr<Mailbox> box;
    {
        std::lock_guard lock(mutex_);
        auto it = expected_.find(study_uid);
        if (it == expected_.end()) return false;
        box = it->second.lock();
        if (!box) {
            expected_.erase(it);
            return false;
        }
    }
    box->put(std::move(object));
    return true;
}

}  // namespace dicomlake::source::dimse
