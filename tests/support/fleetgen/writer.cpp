#include "writer.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace fleetgen {

namespace {
void check(const OFCondition& c, const DcmTagKey& key, const std::string& what) {
  if (c.bad())
    throw std::runtime_error("DCMTK: cannot set " + std::string(key.toString().c_str()) + " (" + what +
                             "): " + c.text());
}

const char* const kMppsSopClass = "1.2.840.10008.3.1.2.3.3";  // Modality Performed Procedure Step
}  // namespace

void put(DcmItem& item, const DcmTagKey& key, const std::string& value) {
  check(item.putAndInsertString(DcmTag(key), value.c_str(), static_cast<Uint32>(value.size())), key, value);
}

void putFD(DcmItem& item, const DcmTagKey& key, double value) {
  check(item.putAndInsertFloat64(DcmTag(key), value), key, "FD");
}

void putUS(DcmItem& item, const DcmTagKey& key, Uint16 value) {
  check(item.putAndInsertUint16(DcmTag(key), value), key, "US");
}

void putUL(DcmItem& item, const DcmTagKey& key, Uint32 value) {
  check(item.putAndInsertUint32(DcmTag(key), value), key, "UL");
}

DcmItem& addItem(DcmItem& parent, const DcmTagKey& seq) {
  DcmItem* item = nullptr;
  check(parent.findOrCreateSequenceItem(DcmTag(seq), item, -2), seq, "new item");
  return *item;
}

DcmItem& addCode(DcmItem& parent, const DcmTagKey& seq, const std::string& value, const std::string& scheme,
                 const std::string& meaning) {
  DcmItem& it = addItem(parent, seq);
  put(it, DCM_CodeValue, value);
  put(it, DCM_CodingSchemeDesignator, scheme);
  put(it, DCM_CodeMeaning, meaning);
  return it;
}

void addCommon(DcmItem& ds, const StudyContext& ctx, const SeriesSpec& se, int instanceNumber,
               const std::string& sopInstanceUid) {
  const StudySpec& st = ctx.study;
  const Scanner& sc = ctx.scanner;
  const Patient& p = ctx.patient;
  const std::uint64_t seed = ctx.fleet.opt.seed;
  const Stamp studyStart = st.startStamp();
  const Stamp seriesStart = studyStart + se.offset;

  if (!st.charset.empty()) put(ds, DCM_SpecificCharacterSet, st.charset);
  put(ds, DCM_SOPClassUID, se.sopClass);
  put(ds, DCM_SOPInstanceUID, sopInstanceUid);
  put(ds, DCM_InstanceCreationDate, dicomDate(seriesStart));
  put(ds, DCM_InstanceCreationTime, dicomTime(seriesStart));

  // Patient
  put(ds, DCM_PatientName, ctx.text(p.name));
  put(ds, DCM_PatientID, p.id);
  put(ds, DCM_IssuerOfPatientID, "DICOMLAKE-HIS");
  put(ds, DCM_PatientBirthDate, p.birth);
  put(ds, DCM_PatientSex, p.sex);
  DcmItem& other = addItem(ds, DCM_OtherPatientIDsSequence);
  put(other, DCM_PatientID, p.otherId);
  put(other, DCM_IssuerOfPatientID, "NATIONAL-REGISTRY");
  put(other, DCM_TypeOfPatientID, "TEXT");

  // Study
  put(ds, DCM_StudyInstanceUID, st.uid);
  put(ds, DCM_StudyDate, dicomDate(studyStart));
  put(ds, DCM_StudyTime, dicomTime(studyStart));
  put(ds, DCM_AccessionNumber, st.accession);
  put(ds, DCM_ReferringPhysicianName, ctx.text(st.referring));
  put(ds, DCM_StudyID, std::to_string(st.number));
  put(ds, DCM_StudyDescription, st.description);
  addCode(ds, DCM_ProcedureCodeSequence, st.procCode, "99DLFAKE", st.description);
  put(ds, DCM_PatientAge, dicomAge(p.birth, st.day));
  put(ds, DCM_PatientSize, p.height.s);
  put(ds, DCM_PatientWeight, p.weight.s);

  // Series
  put(ds, DCM_Modality, se.modality);
  put(ds, DCM_SeriesInstanceUID, se.uid);
  put(ds, DCM_SeriesNumber, std::to_string(se.number));
  put(ds, DCM_SeriesDate, dicomDate(seriesStart));
  put(ds, DCM_SeriesTime, dicomTime(seriesStart));
  put(ds, DCM_SeriesDescription, se.description);
  put(ds, DCM_OperatorsName, ctx.text(st.operatorName));
  if (se.isImage()) {
    put(ds, DCM_ProtocolName, se.description);
    put(ds, DCM_BodyPartExamined, se.modality == "MR" ? st.bodyPart : (se.region == "Head" ? "HEAD"
                                                                      : se.region == "Chest" ? "CHEST" : "ABDOMEN"));
    put(ds, DCM_PatientPosition, se.modality == "CT" && se.region == "Abdomen" ? "FFS" : "HFS");
    put(ds, DCM_FrameOfReferenceUID, makeUid(seed, kFrameOfRef, st.number));
    put(ds, DCM_PositionReferenceIndicator, "");
  }
  DcmItem& rpps = addItem(ds, DCM_ReferencedPerformedProcedureStepSequence);
  put(rpps, DCM_ReferencedSOPClassUID, kMppsSopClass);
  put(rpps, DCM_ReferencedSOPInstanceUID, makeUid(seed, kMpps, st.number));
  put(ds, DCM_PerformedProcedureStepStartDate, dicomDate(studyStart));
  put(ds, DCM_PerformedProcedureStepStartTime, dicomTime(studyStart));
  put(ds, DCM_PerformedProcedureStepID, "PPS" + st.accession.substr(1));
  put(ds, DCM_PerformedProcedureStepDescription, st.description);
  DcmItem& req = addItem(ds, DCM_RequestAttributesSequence);
  put(req, DCM_RequestedProcedureID, "RP" + st.accession.substr(1));
  put(req, DCM_ScheduledProcedureStepID, "SPS" + st.accession.substr(1));
  put(req, DCM_RequestedProcedureDescription, st.description);
  put(req, DCM_AccessionNumber, st.accession);

  // Equipment
  put(ds, DCM_Manufacturer, sc.manufacturer);
  put(ds, DCM_InstitutionName, ctx.text(sc.institution));
  put(ds, DCM_StationName, sc.station);
  put(ds, DCM_ManufacturerModelName, sc.model);
  put(ds, DCM_DeviceSerialNumber, sc.serial);
  put(ds, DCM_SoftwareVersions, sc.software);

  put(ds, DCM_InstanceNumber, std::to_string(instanceNumber));

  // Private block: creator "DICOMLAKE FAKE" in (0019,0010), elements (0019,10xx).
  check(ds.putAndInsertString(DcmTag(0x0019, 0x0010, EVR_LO), "DICOMLAKE FAKE"), DcmTagKey(0x0019, 0x0010), "creator");
  const std::string name = ctx.text(p.name);
  check(ds.putAndInsertString(DcmTag(0x0019, 0x1001, EVR_LO), name.c_str(), static_cast<Uint32>(name.size())),
        DcmTagKey(0x0019, 0x1001), "private name");
  check(ds.putAndInsertString(DcmTag(0x0019, 0x1002, EVR_DS), st.privateNumber.s.c_str()), DcmTagKey(0x0019, 0x1002),
        "private number");
}

void addPixels(DcmItem& ds, std::uint64_t seed, int frames, bool ct) {
  Rng rng(mix64(seed));
  put(ds, DCM_SamplesPerPixel, "1");
  put(ds, DCM_PhotometricInterpretation, "MONOCHROME2");
  putUS(ds, DCM_Rows, 16);
  putUS(ds, DCM_Columns, 16);
  putUS(ds, DCM_BitsAllocated, 16);
  putUS(ds, DCM_BitsStored, 12);
  putUS(ds, DCM_HighBit, 11);
  putUS(ds, DCM_PixelRepresentation, 0);
  std::vector<Uint16> px(static_cast<std::size_t>(256 * frames));
  for (int f = 0; f < frames; ++f)
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 16; ++x) {
        // An elliptic "body" with a brighter vertical "spine", plus noise.
        const int dx = x - 8, dy = y - 8;
        const bool body = dx * dx * 4 + dy * dy * 9 <= 200;
        const bool spine = body && (x == 7 || x == 8) && (y + f) % 4 != 0;
        int v = ct ? (body ? 1064 : 24) : (body ? 600 : 20);
        if (spine) v = ct ? 1724 : 1400;
        v += static_cast<int>(rng.uniformInt(0, ct ? 40 : 120));
        px[static_cast<std::size_t>(f * 256 + y * 16 + x)] = static_cast<Uint16>(std::min(v, 4095));
      }
  check(ds.putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(px.size())), DCM_PixelData,
        "pixels");
}

std::string seriesDir(const StudyContext& ctx, const SeriesSpec& series) {
  const std::string dir = ctx.dir + "/" + std::to_string(series.number);
  std::filesystem::create_directories(dir);
  return dir;
}

void saveDicom(DcmFileFormat& file, const std::string& path) {
  const OFCondition c = file.saveFile(path.c_str(), EXS_LittleEndianExplicit, EET_ExplicitLength);
  if (c.bad()) throw std::runtime_error("cannot write " + path + ": " + c.text());
}

}  // namespace fleetgen
