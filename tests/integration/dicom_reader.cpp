#include "dicom_reader.hpp"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

namespace dicomlake::testing {

namespace {

std::string str(DcmItem* item, const DcmTagKey& tag) {
    OFString v;
    if (item->findAndGetOFStringArray(tag, v).good()) {
        std::string s = v.c_str();
        while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
        return s;
    }
    return {};
}

std::optional<double> number(DcmItem* item, const DcmTagKey& tag) {
    Float64 v;
    if (item->findAndGetFloat64(tag, v).good()) return v;
    return std::nullopt;
}

// NumberOfAverages inside <group sequence>[0] -> MRAveragesSequence[0].
std::optional<double> averages_in(DcmItem* root, const DcmTagKey& groups) {
    DcmItem* group = nullptr;
    if (root->findAndGetSequenceItem(groups, group, 0).bad() || group == nullptr) return std::nullopt;
    DcmItem* avg = nullptr;
    if (group->findAndGetSequenceItem(DCM_MRAveragesSequence, avg, 0).bad() || avg == nullptr) return std::nullopt;
    return number(avg, DCM_NumberOfAverages);
}

}  // namespace

std::optional<FileFacts> read_facts(const std::string& path) {
    DcmFileFormat file;
    if (file.loadFile(path.c_str()).bad()) return std::nullopt;
    DcmDataset* ds = file.getDataset();
    FileFacts f;
    f.study_uid = str(ds, DCM_StudyInstanceUID);
    f.series_uid = str(ds, DCM_SeriesInstanceUID);
    f.sop_uid = str(ds, DCM_SOPInstanceUID);
    f.study_date = str(ds, DCM_StudyDate);
    f.modality = str(ds, DCM_Modality);
    f.patient_id = str(ds, DCM_PatientID);
    f.nex = number(ds, DCM_NumberOfAverages);
    if (!f.nex) {
        f.nex = averages_in(ds, DCM_SharedFunctionalGroupsSequence);
        if (!f.nex) f.nex = averages_in(ds, DCM_PerFrameFunctionalGroupsSequence);
        f.enhanced_groups = f.nex.has_value();
    }
    if (ds->convertToUTF8().good()) {
        f.institution_utf8 = str(ds, DCM_InstitutionName);
        f.series_description_utf8 = str(ds, DCM_SeriesDescription);
    }
    return f;
}

}  // namespace dicomlake::testing
