// dicomlake-fleetgen: DCMTK helpers shared by the MR, CT and SR writers.
#pragma once

#include <cstdint>
#include <string>

#include <dcmtk/dcmdata/dctk.h>

#include "fleet.hpp"

namespace fleetgen {

// Everything a writer needs about one study.
struct StudyContext {
  const Fleet& fleet;
  const StudySpec& study;
  const Scanner& scanner;
  const Patient& patient;
  std::string dir;  // DIR/dicom/<study-no>
  std::string text(const std::string& utf8) const { return encodeFor(utf8, study.charset); }
};

// Thin wrappers that throw std::runtime_error when DCMTK refuses a value.
void put(DcmItem& item, const DcmTagKey& key, const std::string& value);
void putFD(DcmItem& item, const DcmTagKey& key, double value);
void putUS(DcmItem& item, const DcmTagKey& key, Uint16 value);
void putUL(DcmItem& item, const DcmTagKey& key, Uint32 value);
// Appends a new item to the sequence `seq` of `parent` (creating the sequence).
DcmItem& addItem(DcmItem& parent, const DcmTagKey& seq);
// Appends a code item (CodeValue, CodingSchemeDesignator, CodeMeaning) to `seq`.
DcmItem& addCode(DcmItem& parent, const DcmTagKey& seq, const std::string& value, const std::string& scheme,
                 const std::string& meaning);

// Patient, general study, general series, general equipment, SOP common and the
// study-level sequences and private block shared by every file of a study.
void addCommon(DcmItem& ds, const StudyContext& ctx, const SeriesSpec& series, int instanceNumber,
               const std::string& sopInstanceUid);
// Image pixel module: 16x16 MONOCHROME2, 16 bits allocated, 12 stored, `frames` frames.
void addPixels(DcmItem& ds, std::uint64_t seed, int frames, bool ct);

std::string seriesDir(const StudyContext& ctx, const SeriesSpec& series);  // creates it
void saveDicom(DcmFileFormat& file, const std::string& path);

// Writers (mr.cpp, ct.cpp, rdsr.cpp). The study directory must exist.
void writeMrSeries(const StudyContext& ctx, const SeriesSpec& series);
void writeCtSeries(const StudyContext& ctx, const SeriesSpec& series);
void writeDoseSr(const StudyContext& ctx, const SeriesSpec& series);
// The unservable-study trick: copy one instance of the study under another patient.
void writeFailCopy(const StudyContext& ctx, const Patient& other);

}  // namespace fleetgen
