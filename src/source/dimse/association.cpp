#include "source/dimse/association.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/diutil.h>
#include <dcmtk/dcmnet/scu.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <mutex>

namespace dicomlake::source::dimse {

namespace {

OFList<OFString> uncompressed_first() {
    OFList<OFString> ts;
    ts.push_back(UID_LittleEndianExplicitTransferSyntax);
    ts.push_back(UID_LittleEndianImplicitTransferSyntax);
    return ts;
}

// Objects received by C-GET are read for their metadata only: any encoding of the pixels will do,
// so the PACS need not decompress anything for us.
OFList<OFString> any_encoding() {
    OFList<OFString> ts = uncompressed_first();
    for (const char* uid :
         {UID_DeflatedExplicitVRLittleEndianTransferSyntax, UID_JPEGProcess1TransferSyntax,
          UID_JPEGProcess2_4TransferSyntax, UID_JPEGProcess14SV1TransferSyntax, UID_JPEGLSLosslessTransferSyntax,
          UID_JPEGLSLossyTransferSyntax, UID_JPEG2000LosslessOnlyTransferSyntax, UID_JPEG2000TransferSyntax,
          UID_RLELosslessTransferSyntax, UID_BigEndianExplicitTransferSyntax})
        ts.push_back(uid);
    return ts;
}

}  // namespace

std::vector<std::string> storage_classes() {
    // DCMTK refuses presentation contexts beyond 128 per association: the classes a dose and
    // protocol warehouse needs first, then DCMTK's list of common ones, 120 in all.
    std::vector<std::string> out = {UID_XRayRadiationDoseSRStorage,
                                    UID_EnhancedSRStorage,
                                    UID_ComprehensiveSRStorage,
                                    UID_Comprehensive3DSRStorage,
                                    UID_BasicTextSRStorage,
                                    UID_RadiopharmaceuticalRadiationDoseSRStorage,
                                    UID_CTImageStorage,
                                    UID_EnhancedCTImageStorage,
                                    UID_MRImageStorage,
                                    UID_EnhancedMRImageStorage,
                                    UID_EnhancedMRColorImageStorage,
                                    UID_MRSpectroscopyStorage,
                                    UID_SecondaryCaptureImageStorage,
                                    UID_DigitalXRayImageStorageForPresentation,
                                    UID_DigitalXRayImageStorageForProcessing,
                                    UID_DigitalMammographyXRayImageStorageForPresentation,
                                    UID_DigitalMammographyXRayImageStorageForProcessing,
                                    UID_BreastTomosynthesisImageStorage,
                                    UID_ComputedRadiographyImageStorage,
                                    UID_XRayAngiographicImageStorage,
                                    UID_EnhancedXAImageStorage,
                                    UID_XRayRadiofluoroscopicImageStorage,
                                    UID_EnhancedXRFImageStorage,
                                    UID_PositronEmissionTomographyImageStorage,
                                    UID_EnhancedPETImageStorage,
                                    UID_NuclearMedicineImageStorage};
    for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs && out.size() < 120; ++i)
        if (std::find(out.begin(), out.end(), dcmLongSCUStorageSOPClassUIDs[i]) == out.end())
            out.push_back(dcmLongSCUStorageSOPClassUIDs[i]);
    return out;
}

namespace {

const char* abstract_syntax(Purpose p) {
    switch (p) {
        case Purpose::echo: return UID_VerificationSOPClass;
        case Purpose::find: return UID_FINDStudyRootQueryRetrieveInformationModel;
        case Purpose::get: return UID_GETStudyRootQueryRetrieveInformationModel;
        case Purpose::move: return UID_MOVEStudyRootQueryRetrieveInformationModel;
    }
    return UID_VerificationSOPClass;
}

const char* purpose_name(Purpose p) {
    switch (p) {
        case Purpose::echo: return "C-ECHO";
        case Purpose::find: return "C-FIND";
        case Purpose::get: return "C-GET";
        case Purpose::move: return "C-MOVE";
    }
    return "DIMSE";
}

bool pending(Uint16 status) { return status == 0xFF00 || status == 0xFF01; }

}  // namespace

void quiet_dcmtk_logs() {
    static std::once_flag once;
    // DCMTK logs (to stderr by default) may quote received values: dicomlake reports errors itself.
    std::call_once(once, [] { OFLog::configure(OFLogger::OFF_LOG_LEVEL); });
}

std::string describe_dimse_status(unsigned status) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%04X", status & 0xFFFFu);
    const char* what = status == 0x0000                     ? "success"
                       : status == 0xFE00                   ? "cancelled"
                       : status == 0xB000                   ? "warning: some sub-operations failed"
                       : (status & 0xFF00) == 0xA700        ? "out of resources"
                       : status == 0xA801                   ? "move destination unknown"
                       : (status & 0xFF00) == 0xA900        ? "identifier does not match SOP class"
                       : (status & 0xF000) == 0xC000        ? "unable to process"
                       : status == 0x0122                   ? "SOP class not supported"
                       : status == 0x0124                   ? "not authorized"
                                                            : "failure";
    return std::string(hex) + " (" + what + ")";
}

class Association::Scu final : public DcmSCU {
public:
    std::function<void(std::unique_ptr<DcmDataset>)> on_object;
    std::function<void()> on_progress;
    std::exception_ptr error;
    long received = 0;

    OFCondition handleSTORERequest(const T_ASC_PresentationContextID, DcmDataset* incoming, OFBool& go_on,
                                   Uint16& store_status) override {
        std::unique_ptr<DcmDataset> object(incoming);
        store_status = STATUS_Success;
        if (error || !on_object) {
            store_status = STATUS_STORE_Refused_OutOfResources;
            go_on = OFFalse;
            return EC_Normal;
        }
        try {
            ++received;
            on_object(std::move(object));
        } catch (...) {
            error = std::current_exception();
            store_status = STATUS_STORE_Refused_OutOfResources;
            go_on = OFFalse;
        }
        return EC_Normal;
    }

    OFCondition handleMOVEResponse(const T_ASC_PresentationContextID id, RetrieveResponse* r, OFBool& wait) override {
        OFCondition c = DcmSCU::handleMOVEResponse(id, r, wait);
        if (wait && on_progress && !error) {
            try {
                on_progress();
            } catch (...) {
                error = std::current_exception();
                wait = OFFalse;
            }
        }
        return c;
    }
};

namespace {

SourceError association_error(const OFCondition& cond, const AssociationOptions& o, Purpose p) {
    const std::string where = o.peer.called_aet + "@" + o.peer.host + ":" + std::to_string(o.peer.port);
    if (cond == DUL_ASSOCIATIONREJECTED)
        return SourceError(FailureKind::refused,
                           std::string("the PACS at ") + where + " rejected the association for " + purpose_name(p) +
                               ": its AE title is not " + o.peer.called_aet +
                               " (the called AE title in pacs.url), or it does not know the calling AE title " +
                               o.calling_aet + " (pacs.calling_aet); check both with the PACS administrator");
    if (cond == NET_EC_NoAcceptablePresentationContexts)
        return SourceError(FailureKind::refused,
                           std::string("the PACS at ") + where + " accepted the association but no presentation "
                               "context for " + purpose_name(p) + " (Study Root): it does not offer this service "
                               "to AE title " + o.calling_aet +
                               (p == Purpose::get ? " (C-GET may be disabled: try pacs.retrieve = move)" : ""));
    const std::string text = cond.text();
    if (text.find("imeout") != std::string::npos || text.find("timed out") != std::string::npos)
        return SourceError(FailureKind::timeout, "no answer from the PACS at " + where + " within " +
                                                     std::to_string(o.connect_timeout_s) +
                                                     " s (pacs.connect_timeout) while opening an association");
    return SourceError(FailureKind::unreachable, "cannot open an association with the PACS at " + where + ": " + text +
                                                     " (check pacs.url and that the PACS's DICOM port is up)");
}

// The PACS sent nothing for pacs.timeout, or is gone: an A-ABORT would only wait for it (DCMTK
// waits 10 s for the peer to close after sending one), so such an association is dropped.
bool peer_gone(const OFCondition& cond) {
    return cond == DIMSE_NODATAAVAILABLE || cond == DUL_READTIMEOUT || cond == DUL_PEERABORTEDASSOCIATION ||
           cond == DUL_NETWORKCLOSED || cond == DIMSE_READPDVFAILED;
}

SourceError dimse_error(const OFCondition& cond, const AssociationOptions& o, const char* what) {
    if (cond == DIMSE_NODATAAVAILABLE || cond == DUL_READTIMEOUT)
        return SourceError(FailureKind::timeout, std::string(what) + ": the PACS stopped answering: nothing came for " +
                                                     std::to_string(o.timeout_s) +
                                                     " s (pacs.timeout, the longest wait for one DIMSE message)");
    if (peer_gone(cond))
        return SourceError(FailureKind::unreachable,
                           std::string(what) + ": the PACS closed the connection (or aborted the association) "
                                               "before its last answer");
    return SourceError(FailureKind::server_error, std::string(what) + " failed: " + cond.text());
}

}  // namespace

Association::Association(const AssociationOptions& o, Purpose purpose) : scu_(std::make_unique<Scu>()) {
    quiet_dcmtk_logs();
    options_ = o;
    scu_->setAETitle(o.calling_aet.c_str());
    scu_->setPeerAETitle(o.peer.called_aet.c_str());
    scu_->setPeerHostName(o.peer.host.c_str());
    scu_->setPeerPort(static_cast<Uint16>(o.peer.port));
    scu_->setConnectionTimeout(static_cast<Sint32>(o.connect_timeout_s));
    scu_->setACSETimeout(static_cast<Uint32>(o.connect_timeout_s));
    scu_->setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu_->setDIMSETimeout(static_cast<Uint32>(o.timeout_s));
    scu_->setMaxReceivePDULength(ASC_DEFAULTMAXPDU);
    const char* syntax = abstract_syntax(purpose);
    scu_->addPresentationContext(syntax, uncompressed_first());
    if (purpose == Purpose::get || purpose == Purpose::move)
        scu_->addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, uncompressed_first());
    if (purpose == Purpose::get) {
        // The PACS sends each object with a C-STORE on this association: dicomlake takes the SCP
        // role for the storage classes (120 of them at most, with the C-GET context under 128).
        for (const auto& uid : storage_classes())
            scu_->addPresentationContext(uid.c_str(), any_encoding(), ASC_SC_ROLE_SCP);
    }
    OFCondition cond = scu_->initNetwork();
    if (cond.bad()) throw SourceError(FailureKind::other, std::string("cannot start DICOM networking: ") + cond.text());
    cond = scu_->negotiateAssociation();
    if (cond.bad()) throw association_error(cond, o, purpose);
    context_ = scu_->findPresentationContextID(syntax, "");
    find_context_ = scu_->findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
    if (context_ == 0) {
        scu_->abortAssociation();
        throw association_error(NET_EC_NoAcceptablePresentationContexts, o, purpose);
    }
}

Association::~Association() {
    if (!scu_->isConnected()) return;
    switch (ending_) {
        case Ending::release: scu_->releaseAssociation(); break;
        case Ending::abort: scu_->abortAssociation(); break;
        case Ending::drop: scu_->closeAssociation(DCMSCU_PEER_ABORTED_ASSOCIATION); break;  // closes the TCP connection
    }
}

SourceError Association::failed(const OFCondition& cond, const char* what) {
    ending_ = peer_gone(cond) ? Ending::drop : Ending::abort;
    return dimse_error(cond, options_, what);
}

void Association::echo() {
    OFCondition cond = scu_->sendECHORequest(context_);
    if (cond.bad()) throw failed(cond, "C-ECHO");
}

FindOutcome Association::find(DcmDataset& query, const std::function<void(DcmDataset&)>& each) {
    if (find_context_ == 0)
        throw SourceError(FailureKind::refused, "the PACS accepted no presentation context for C-FIND (Study Root)");
    OFList<QRResponse*> responses;
    OFCondition cond = scu_->sendFINDRequest(find_context_, &query, &responses);
    FindOutcome out;
    std::exception_ptr error;
    for (QRResponse* r : responses) {
        if (pending(r->m_status) && r->m_dataset != nullptr && !error) {
            ++out.answers;
            try {
                each(*r->m_dataset);
            } catch (...) {
                error = std::current_exception();
            }
        } else if (!pending(r->m_status)) {
            out.status = r->m_status;
        }
        delete r;
    }
    if (error) std::rethrow_exception(error);
    if (cond.bad()) throw failed(cond, "C-FIND");
    out.failed = out.status != STATUS_Success && out.status != STATUS_FIND_Cancel_MatchingTerminatedDueToCancelRequest;
    return out;
}

namespace {

RetrieveOutcome summarize(OFList<RetrieveResponse*>& responses) {
    RetrieveOutcome out;
    for (RetrieveResponse* r : responses) {
        if (!pending(r->m_status)) {
            out.status = r->m_status;
            out.completed = r->m_numberOfCompletedSubops;
            out.failed = r->m_numberOfFailedSubops;
            out.warning = r->m_numberOfWarningSubops;
        }
        delete r;
    }
    responses.clear();
    return out;
}

}  // namespace

RetrieveOutcome Association::get(DcmDataset& query,
                                 const std::function<void(std::unique_ptr<DcmDataset>)>& on_object) {
    scu_->on_object = on_object;
    scu_->error = nullptr;
    scu_->received = 0;
    OFList<RetrieveResponse*> responses;
    OFCondition cond = scu_->sendCGETRequest(context_, &query, &responses);
    RetrieveOutcome out = summarize(responses);
    out.received = scu_->received;
    scu_->on_object = nullptr;
    if (scu_->error) {
        ending_ = Ending::abort;
        std::rethrow_exception(scu_->error);
    }
    if (cond.bad()) throw failed(cond, "C-GET");
    return out;
}

RetrieveOutcome Association::move(DcmDataset& query, const std::string& destination,
                                  const std::function<void()>& on_progress) {
    scu_->on_progress = on_progress;
    scu_->error = nullptr;
    OFList<RetrieveResponse*> responses;
    OFCondition cond = scu_->sendMOVERequest(context_, destination.c_str(), &query, &responses);
    RetrieveOutcome out = summarize(responses);
    scu_->on_progress = nullptr;
    if (scu_->error) {
        ending_ = Ending::abort;
        std::rethrow_exception(scu_->error);
    }
    if (cond.bad()) throw failed(cond, "C-MOVE");
    return out;
}

}  // namespace dicomlake::source::dimse
