#include "deid/policy.hpp"

#include <algorithm>
#include <array>

namespace dicomlake::deid {

namespace {

// Direct and indirect patient identifiers removed at any depth (sorted for binary search).
constexpr std::array<model::TagKey, 40> kRemoved = {
    0x00080050,  // AccessionNumber
    0x00080081,  // InstitutionAddress
    0x00080092,  // ReferringPhysicianAddress
    0x00080094,  // ReferringPhysicianTelephoneNumbers
    0x00081120,  // ReferencedPatientSequence
    0x00100020,  // PatientID
    0x00100021,  // IssuerOfPatientID
    0x00100024,  // IssuerOfPatientIDQualifiersSequence
    0x00100030,  // PatientBirthDate
    0x00100032,  // PatientBirthTime
    0x00100050,  // PatientInsurancePlanCodeSequence
    0x00101000,  // OtherPatientIDs
    0x00101001,  // OtherPatientNames
    0x00101002,  // OtherPatientIDsSequence
    0x00101005,  // PatientBirthName
    0x00101040,  // PatientAddress
    0x00101060,  // PatientMotherBirthName
    0x00101080,  // MilitaryRank
    0x00101081,  // BranchOfService
    0x00101090,  // MedicalRecordLocator
    0x00102000,  // MedicalAlerts
    0x00102110,  // Allergies
    0x00102150,  // CountryOfResidence
    0x00102152,  // RegionOfResidence
    0x00102154,  // PatientTelephoneNumbers
    0x00102160,  // EthnicGroup
    0x00102180,  // Occupation
    0x001021B0,  // AdditionalPatientHistory
    0x00104000,  // PatientComments
    0x00200010,  // StudyID
    0x00321032,  // RequestingPhysician
    0x00324000,  // StudyComments
    0x00380010,  // AdmissionID
    0x00380300,  // CurrentPatientLocation
    0x00380500,  // PatientState
    0x00400009,  // ScheduledProcedureStepID
    0x00400253,  // PerformedProcedureStepID
    0x00401001,  // RequestedProcedureID
    0x0040A123,  // PersonName (SR PNAME)
    0x0040A160,  // TextValue (SR TEXT)
};

constexpr model::TagKey kSOPClassUID = 0x00080016;
constexpr model::TagKey kReferencedSOPClassUID = 0x00081150;

}  // namespace

model::AttributeFilter::Action BaselinePolicy::decide(model::TagKey tag, std::string_view vr,
                                                     const model::AttributeContext&) const {
    if (model::is_private(tag)) return Action::drop;
    if (vr == "PN") return Action::drop;
    if (std::binary_search(kRemoved.begin(), kRemoved.end(), tag)) return Action::drop;
    if (vr == "UI" && tag != kSOPClassUID && tag != kReferencedSOPClassUID) return Action::replace_uid;
    return Action::keep;
}

}  // namespace dicomlake::deid
