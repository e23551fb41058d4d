// X-Ray Radiation Dose SR (TID 10011 "CT Radiation Dose") built from plain DcmItems.
#include "writer.hpp"

namespace fleetgen {

namespace {

DcmItem& content(DcmItem& parent, const char* relationship, const char* valueType, const std::string& code,
                 const std::string& scheme, const std::string& meaning) {
  DcmItem& it = addItem(parent, DCM_ContentSequence);
  put(it, DCM_RelationshipType, relationship);
  put(it, DCM_ValueType, valueType);
  addCode(it, DCM_ConceptNameCodeSequence, code, scheme, meaning);
  return it;
}

DcmItem& container(DcmItem& parent, const std::string& code, const std::string& meaning) {
  DcmItem& it = content(parent, "CONTAINS", "CONTAINER", code, "DCM", meaning);
  put(it, DCM_ContinuityOfContent, "SEPARATE");
  return it;
}

void num(DcmItem& parent, const std::string& code, const std::string& meaning, const Num& value,
         const std::string& unit, const std::string& unitMeaning) {
  DcmItem& it = content(parent, "CONTAINS", "NUM", code, "DCM", meaning);
  DcmItem& mv = addItem(it, DCM_MeasuredValueSequence);
  put(mv, DCM_NumericValue, value.s);
  addCode(mv, DCM_MeasurementUnitsCodeSequence, unit, "UCUM", unitMeaning);
}

void codeItem(DcmItem& parent, const char* relationship, const std::string& code, const std::string& scheme,
              const std::string& meaning, const std::string& vCode, const std::string& vScheme,
              const std::string& vMeaning) {
  DcmItem& it = content(parent, relationship, "CODE", code, scheme, meaning);
  addCode(it, DCM_ConceptCodeSequence, vCode, vScheme, vMeaning);
}

void textItem(DcmItem& parent, const char* relationship, const std::string& code, const std::string& meaning,
              const std::string& value) {
  put(content(parent, relationship, "TEXT", code, "DCM", meaning), DCM_TextValue, value);
}

void uidItem(DcmItem& parent, const char* relationship, const std::string& code, const std::string& meaning,
             const std::string& uid) {
  put(content(parent, relationship, "UIDREF", code, "DCM", meaning), DCM_UID, uid);
}

}  // namespace

void writeDoseSr(const StudyContext& ctx, const SeriesSpec& se) {
  const StudySpec& st = ctx.study;
  const Scanner& sc = ctx.scanner;
  const std::string dir = seriesDir(ctx, se);
  const Stamp when = st.startStamp() + se.offset;
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  addCommon(ds, ctx, se, 1, makeUid(ctx.fleet.opt.seed, kInstance, st.number, se.number, 1));
  put(ds, DCM_ContentDate, dicomDate(when));
  put(ds, DCM_ContentTime, dicomTime(when));
  put(ds, DCM_CompletionFlag, "COMPLETE");
  put(ds, DCM_VerificationFlag, "UNVERIFIED");
  addCode(ds, DCM_PerformedProcedureCodeSequence, st.procCode, "99DLFAKE", st.description);
  DcmItem& tpl = addItem(ds, DCM_ContentTemplateSequence);
  put(tpl, DCM_MappingResource, "DCMR");
  put(tpl, DCM_TemplateIdentifier, "10011");

  // Root container.
  put(ds, DCM_ValueType, "CONTAINER");
  addCode(ds, DCM_ConceptNameCodeSequence, "113701", "DCM", "X-Ray Radiation Dose Report");
  put(ds, DCM_ContinuityOfContent, "SEPARATE");

  DcmItem& proc = content(ds, "HAS CONCEPT MOD", "CODE", "121058", "DCM", "Procedure reported");
  addCode(proc, DCM_ConceptCodeSequence, "P5-08000", "SRT", "Computed Tomography X-Ray");
  // Observer context: the device, then the person who operated it.
  codeItem(ds, "HAS OBS CONTEXT", "121005", "DCM", "Observer Type", "121007", "DCM", "Device");
  uidItem(ds, "HAS OBS CONTEXT", "121012", "Device Observer UID", sc.deviceUid);
  textItem(ds, "HAS OBS CONTEXT", "121013", "Device Observer Name", sc.station);
  textItem(ds, "HAS OBS CONTEXT", "121014", "Device Observer Manufacturer", sc.manufacturer);
  textItem(ds, "HAS OBS CONTEXT", "121015", "Device Observer Model Name", sc.model);
  textItem(ds, "HAS OBS CONTEXT", "121016", "Device Observer Serial Number", sc.serial);
  codeItem(ds, "HAS OBS CONTEXT", "121005", "DCM", "Observer Type", "121006", "DCM", "Person");
  DcmItem& person = content(ds, "HAS OBS CONTEXT", "PNAME", "113870", "DCM", "Person Name");
  put(person, DCM_PersonName, ctx.text(st.operatorName));
  codeItem(person, "HAS PROPERTIES", "113875", "DCM", "Person Role in Procedure", "113851", "DCM",
           "Irradiation Administering");

  int events = 0;
  Stamp first = 0, last = 0;
  for (const auto& s : st.series)
    if (s.isImage()) {
      const Stamp a = st.startStamp() + s.offset, b = a + s.duration;
      first = events == 0 ? a : first;
      last = b;
      ++events;
    }
  put(content(ds, "HAS OBS CONTEXT", "DATETIME", "113809", "DCM", "Start of X-Ray Irradiation"), DCM_DateTime,
      dicomDateTime(first));
  put(content(ds, "HAS OBS CONTEXT", "DATETIME", "113810", "DCM", "End of X-Ray Irradiation"), DCM_DateTime,
      dicomDateTime(last));
  DcmItem& scope = content(ds, "HAS CONCEPT MOD", "CODE", "113705", "DCM", "Scope of Accumulation");
  addCode(scope, DCM_ConceptCodeSequence, "113014", "DCM", "Study");
  uidItem(scope, "HAS PROPERTIES", "110180", "Study Instance UID", st.uid);

  DcmItem& acc = container(ds, "113811", "CT Accumulated Dose Data");
  num(acc, "113812", "Total Number of Irradiation Events", fmtNum(events, 0), "{events}", "events");
  num(acc, "113813", "CT Dose Length Product Total", st.dlpTotal, "mGy.cm", "mGy.cm");

  for (const auto& s : st.series) {
    if (!s.isImage()) continue;
    DcmItem& ev = container(ds, "113819", "CT Acquisition");
    textItem(ev, "CONTAINS", "125203", "Acquisition Protocol", s.description);
    codeItem(ev, "CONTAINS", "123014", "DCM", "Target Region", s.regionCode, "SRT", s.region);
    codeItem(ev, "CONTAINS", "113820", "DCM", "CT Acquisition Type", s.acqTypeCode, s.acqTypeScheme, s.acqType);
    uidItem(ev, "CONTAINS", "113769", "Irradiation Event UID", s.eventUid);
    DcmItem& params = container(ev, "113822", "CT Acquisition Parameters");
    num(params, "113824", "Exposure Time", s.exposureTimeS, "s", "s");
    num(params, "113825", "Scanning Length", fmtNum(s.lengthCm.v * 10, 1), "mm", "mm");
    if (s.hasPitch) num(params, "113828", "Pitch Factor", s.pitch, "{ratio}", "ratio");
    DcmItem& xs = container(params, "113831", "CT X-Ray Source Parameters");
    textItem(xs, "CONTAINS", "113832", "Identification of the X-Ray Source", "A");
    num(xs, "113733", "KVP", s.kvp, "kV", "kV");
    num(xs, "113734", "X-Ray Tube Current", fmtNum(s.mA, 0), "mA", "mA");
    DcmItem& dose = container(ev, "113829", "CT Dose");
    num(dose, "113830", "Mean CTDIvol", s.ctdi, "mGy", "mGy");
    codeItem(dose, "CONTAINS", "113835", "DCM", "CTDIw Phantom Type", s.phantomCode, "DCM", s.phantom);
    num(dose, "113838", "DLP", s.dlp, "mGy.cm", "mGy.cm");
  }
  textItem(ds, "CONTAINS", "121106", "Comment", ctx.text(st.comment));
  saveDicom(file, dir + "/1.dcm");
}

}  // namespace fleetgen
