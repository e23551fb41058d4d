// MR writers: classic MR Image Storage (one file per slice) and Enhanced MR Image Storage
// (one multi-frame file per series), plus the fail-study copy.
#include <filesystem>
#include <stdexcept>

#include "writer.hpp"

namespace fleetgen {

namespace {

struct Geometry {
  std::string iop, ipp;
  Num sliceLocation;
};

// Slice geometry for a plane; `pos` is the through-plane position in mm.
Geometry geometry(const std::string& plane, double pos, double fov) {
  Geometry g;
  const double h = fov / 2;
  if (plane == "SAG") {
    g.iop = "0\\1\\0\\0\\0\\-1";
    g.ipp = dsMulti({pos, -h, h}, 2);
  } else if (plane == "AX") {
    g.iop = "1\\0\\0\\0\\1\\0";
    g.ipp = dsMulti({-h, -h, pos}, 2);
  } else {  // COR
    g.iop = "1\\0\\0\\0\\0\\-1";
    g.ipp = dsMulti({-h, pos, h}, 2);
  }
  g.sliceLocation = fmtNum(pos, 2);
  return g;
}

std::uint64_t pixelSeed(const StudyContext& ctx, const SeriesSpec& se, int instance) {
  return mix64(ctx.fleet.opt.seed) ^ (static_cast<std::uint64_t>(ctx.study.number) << 32) ^
         (static_cast<std::uint64_t>(se.number) << 16) ^ static_cast<std::uint64_t>(instance);
}

Num imagingFrequency(const SeriesSpec& se) { return fmtNum(42.577478 * se.fieldStrength.v, 6); }

const char* parallelTechnique(Vendor v) {
  switch (v) {
    case Vendor::Siemens: return "GRAPPA";
    case Vendor::GE: return "ASSET";
    case Vendor::Philips: return "SENSE";
    default: return "SPEEDER";
  }
}

void writeClassic(const StudyContext& ctx, const SeriesSpec& se, const std::string& dir) {
  const std::vector<Stamp> stamps = acquisitionStamps(ctx.study, se, se.files);
  const Stamp content = stamps.back() + 10;
  const bool loc = se.protocol == "LOCALIZER";
  const Vendor v = ctx.scanner.vendor;
  for (int i = 0; i < se.files; ++i) {
    DcmFileFormat file;
    DcmDataset& ds = *file.getDataset();
    const std::string sop = makeUid(ctx.fleet.opt.seed, kInstance, ctx.study.number, se.number, i + 1);
    addCommon(ds, ctx, se, i + 1, sop);
    put(ds, DCM_ImageType, loc ? "ORIGINAL\\PRIMARY\\LOCALIZER" : "ORIGINAL\\PRIMARY\\M\\ND");
    put(ds, DCM_ScanningSequence, se.scanSeq);
    put(ds, DCM_SequenceVariant, se.seqVariant);
    if (!se.scanOptions.empty()) put(ds, DCM_ScanOptions, se.scanOptions);
    put(ds, DCM_MRAcquisitionType, "2D");
    put(ds, DCM_SequenceName, se.seqName);
    put(ds, DCM_AngioFlag, "N");
    put(ds, DCM_SliceThickness, se.thk.s);
    put(ds, DCM_RepetitionTime, se.tr.s);
    put(ds, DCM_EchoTime, se.te.s);
    if (se.hasTi) put(ds, DCM_InversionTime, se.ti.s);
    put(ds, DCM_NumberOfAverages, se.nex.s);
    put(ds, DCM_ImagingFrequency, imagingFrequency(se).s);
    put(ds, DCM_ImagedNucleus, "1H");
    put(ds, DCM_EchoNumbers, "1");
    put(ds, DCM_MagneticFieldStrength, se.fieldStrength.s);
    put(ds, DCM_SpacingBetweenSlices, se.spacing.s);
    put(ds, DCM_NumberOfPhaseEncodingSteps, std::to_string(se.phase));
    put(ds, DCM_EchoTrainLength, std::to_string(se.etl));
    put(ds, DCM_PercentSampling, "100");
    put(ds, DCM_PercentPhaseFieldOfView, se.pctPhase.s);
    put(ds, DCM_PixelBandwidth, se.bw.s);
    put(ds, DCM_TransmitCoilName, "Body");
    put(ds, DCM_ReceiveCoilName, loc ? "Body" : "Spine");
    const bool rowPhase = se.plane != "AX";
    const Uint16 matrix[4] = {static_cast<Uint16>(rowPhase ? 0 : se.freq), static_cast<Uint16>(rowPhase ? se.freq : 0),
                              static_cast<Uint16>(rowPhase ? se.phase : 0), static_cast<Uint16>(rowPhase ? 0 : se.phase)};
    if (ds.putAndInsertUint16Array(DCM_AcquisitionMatrix, matrix, 4).bad())
      throw std::runtime_error("cannot set AcquisitionMatrix");
    put(ds, DCM_InPlanePhaseEncodingDirection, rowPhase ? "ROW" : "COL");
    put(ds, DCM_FlipAngle, se.flip.s);
    put(ds, DCM_VariableFlipAngleFlag, "N");
    // Siemens and Canon report the acquisition duration; GE and Philips classic files do not.
    if (v == Vendor::Siemens || v == Vendor::Canon) putFD(ds, DCM_AcquisitionDuration, se.duration);
    if (se.pf.v > 1) putFD(ds, DCM_ParallelReductionFactorInPlane, se.pf.v);
    put(ds, DCM_AcquisitionNumber, "1");
    put(ds, DCM_AcquisitionDate, dicomDate(stamps[static_cast<std::size_t>(i)]));
    put(ds, DCM_AcquisitionTime, dicomTime(stamps[static_cast<std::size_t>(i)]));
    put(ds, DCM_ContentDate, dicomDate(content));
    put(ds, DCM_ContentTime, dicomTime(content));

    // Geometry: the localizer cycles through three planes; other series step through-plane.
    std::string plane = se.plane;
    double pos = (i - (se.files - 1) / 2.0) * se.spacing.v;
    if (loc) {
      static const char* planes[] = {"SAG", "COR", "AX"};
      plane = planes[i % 3];
      pos = (i / 3 - (se.files - 1) / 6) * se.spacing.v;
    }
    const Geometry g = geometry(plane, pos, se.fov.v);
    put(ds, DCM_ImagePositionPatient, g.ipp);
    put(ds, DCM_ImageOrientationPatient, g.iop);
    put(ds, DCM_SliceLocation, g.sliceLocation.s);
    put(ds, DCM_PixelSpacing, dsMulti({se.fov.v / 16, se.fov.v / 16}, 4));
    put(ds, DCM_WindowCenter, "800");
    put(ds, DCM_WindowWidth, "1600");
    addPixels(ds, pixelSeed(ctx, se, i + 1), 1, false);
    saveDicom(file, dir + "/" + std::to_string(i + 1) + ".dcm");
  }
}

DcmItem& averages(DcmItem& group, const SeriesSpec& se) {
  DcmItem& a = addItem(group, DCM_MRAveragesSequence);
  put(a, DCM_NumberOfAverages, se.nex.s);
  return a;
}

void writeEnhanced(const StudyContext& ctx, const SeriesSpec& se, const std::string& dir) {
  const std::uint64_t seed = ctx.fleet.opt.seed;
  const std::vector<Stamp> stamps = acquisitionStamps(ctx.study, se, se.frames);
  const Stamp content = stamps.back() + 10;
  const bool perFrameNex = ctx.scanner.vendor == Vendor::Siemens;  // XA style; Philips puts it in shared
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  addCommon(ds, ctx, se, 1, makeUid(seed, kInstance, ctx.study.number, se.number, 1));
  put(ds, DCM_ImageType, "ORIGINAL\\PRIMARY\\M\\NONE");
  put(ds, DCM_ContentQualification, "PRODUCT");
  put(ds, DCM_ContentDate, dicomDate(content));
  put(ds, DCM_ContentTime, dicomTime(content));
  put(ds, DCM_AcquisitionNumber, "1");
  put(ds, DCM_AcquisitionDateTime, dicomDateTime(stamps.front()));
  putFD(ds, DCM_AcquisitionDuration, se.duration);
  put(ds, DCM_NumberOfFrames, std::to_string(se.frames));
  put(ds, DCM_PixelPresentation, "MONOCHROME");
  put(ds, DCM_VolumetricProperties, "VOLUME");
  put(ds, DCM_VolumeBasedCalculationTechnique, "NONE");
  put(ds, DCM_ComplexImageComponent, "MAGNITUDE");
  put(ds, DCM_AcquisitionContrast, se.contrast);
  put(ds, DCM_ResonantNucleus, "1H");
  put(ds, DCM_KSpaceFiltering, "NONE");
  put(ds, DCM_MagneticFieldStrength, se.fieldStrength.s);
  put(ds, DCM_ApplicableSafetyStandardAgency, "IEC");
  put(ds, DCM_ImagingFrequency, imagingFrequency(se).s);
  put(ds, DCM_PulseSequenceName, se.seqName);
  put(ds, DCM_MRAcquisitionType, "2D");
  put(ds, DCM_EchoPulseSequence, "SPIN");
  put(ds, DCM_MultipleSpinEcho, "NO");
  put(ds, DCM_PhaseContrast, "NO");
  put(ds, DCM_TimeOfFlightContrast, "NO");
  put(ds, DCM_SteadyStatePulseSequence, "NONE");
  put(ds, DCM_EchoPlanarPulseSequence, "NO");
  put(ds, DCM_SaturationRecovery, "NO");
  put(ds, DCM_SpectrallySelectedSuppression, "NONE");
  put(ds, DCM_OversamplingPhase, "NONE");
  put(ds, DCM_GeometryOfKSpaceTraversal, "RECTILINEAR");
  put(ds, DCM_SegmentedKSpaceTraversal, "PARTIAL");
  put(ds, DCM_RectilinearPhaseEncodeReordering, "LINEAR");
  put(ds, DCM_BurnedInAnnotation, "NO");
  put(ds, DCM_LossyImageCompression, "00");
  put(ds, DCM_PresentationLUTShape, "IDENTITY");

  const std::string dimUid = makeUid(seed, kDimOrg, ctx.study.number, se.number);
  put(addItem(ds, DCM_DimensionOrganizationSequence), DCM_DimensionOrganizationUID, dimUid);
  DcmItem& dim = addItem(ds, DCM_DimensionIndexSequence);
  put(dim, DCM_DimensionOrganizationUID, dimUid);
  if (dim.putAndInsertTagKey(DCM_DimensionIndexPointer, DCM_InStackPositionNumber).bad() ||
      dim.putAndInsertTagKey(DCM_FunctionalGroupPointer, DCM_FrameContentSequence).bad())
    throw std::runtime_error("cannot set dimension pointers");

  DcmItem& shared = addItem(ds, DCM_SharedFunctionalGroupsSequence);
  DcmItem& pm = addItem(shared, DCM_PixelMeasuresSequence);
  put(pm, DCM_PixelSpacing, dsMulti({se.fov.v / 16, se.fov.v / 16}, 4));
  put(pm, DCM_SliceThickness, se.thk.s);
  put(pm, DCM_SpacingBetweenSlices, se.spacing.s);
  put(addItem(shared, DCM_PlaneOrientationSequence), DCM_ImageOrientationPatient, geometry(se.plane, 0, se.fov.v).iop);
  DcmItem& timing = addItem(shared, DCM_MRTimingAndRelatedParametersSequence);
  put(timing, DCM_RepetitionTime, se.tr.s);
  put(timing, DCM_FlipAngle, se.flip.s);
  put(timing, DCM_EchoTrainLength, std::to_string(se.etl));
  putUS(timing, DCM_RFEchoTrainLength, static_cast<Uint16>(se.etl));
  putUS(timing, DCM_GradientEchoTrainLength, 0);
  putFD(addItem(shared, DCM_MREchoSequence), DCM_EffectiveEchoTime, se.te.v);
  DcmItem& mod = addItem(shared, DCM_MRModifierSequence);
  put(mod, DCM_InversionRecovery, se.hasTi ? "YES" : "NO");
  if (se.hasTi) putFD(mod, DCM_InversionTimes, se.ti.v);
  put(mod, DCM_FlowCompensation, "NONE");
  put(mod, DCM_T2Preparation, "NO");
  put(mod, DCM_SpatialPresaturation, "NONE");
  put(mod, DCM_PartialFourier, "NO");
  put(mod, DCM_ParallelAcquisition, se.pf.v > 1 ? "YES" : "NO");
  if (se.pf.v > 1) {
    put(mod, DCM_ParallelAcquisitionTechnique, parallelTechnique(ctx.scanner.vendor));
    putFD(mod, DCM_ParallelReductionFactorInPlane, se.pf.v);
    putFD(mod, DCM_ParallelReductionFactorOutOfPlane, 1.0);
  }
  DcmItem& fov = addItem(shared, DCM_MRFOVGeometrySequence);
  put(fov, DCM_InPlanePhaseEncodingDirection, se.plane != "AX" ? "ROW" : "COL");
  putUS(fov, DCM_MRAcquisitionFrequencyEncodingSteps, static_cast<Uint16>(se.freq));
  putUS(fov, DCM_MRAcquisitionPhaseEncodingStepsInPlane, static_cast<Uint16>(se.phase));
  put(fov, DCM_PercentSampling, "100");
  put(fov, DCM_PercentPhaseFieldOfView, se.pctPhase.s);
  DcmItem& ft = addItem(shared, DCM_MRImageFrameTypeSequence);
  put(ft, DCM_FrameType, "ORIGINAL\\PRIMARY\\M\\NONE");
  put(ft, DCM_PixelPresentation, "MONOCHROME");
  put(ft, DCM_VolumetricProperties, "VOLUME");
  put(ft, DCM_VolumeBasedCalculationTechnique, "NONE");
  put(ft, DCM_ComplexImageComponent, "MAGNITUDE");
  put(ft, DCM_AcquisitionContrast, se.contrast);
  put(addItem(shared, DCM_MRReceiveCoilSequence), DCM_ReceiveCoilName, "Spine");
  put(addItem(shared, DCM_MRTransmitCoilSequence), DCM_TransmitCoilName, "Body");
  DcmItem& voi = addItem(shared, DCM_FrameVOILUTSequence);
  put(voi, DCM_WindowCenter, "800");
  put(voi, DCM_WindowWidth, "1600");
  DcmItem& pvt = addItem(shared, DCM_PixelValueTransformationSequence);
  put(pvt, DCM_RescaleIntercept, "0");
  put(pvt, DCM_RescaleSlope, "1");
  put(pvt, DCM_RescaleType, "US");
  if (!perFrameNex) averages(shared, se);

  const double frameMs = se.frames > 0 ? se.duration * 1000.0 / se.frames : 0;
  for (int k = 0; k < se.frames; ++k) {
    DcmItem& frame = addItem(ds, DCM_PerFrameFunctionalGroupsSequence);
    DcmItem& fc = addItem(frame, DCM_FrameContentSequence);
    putUS(fc, DCM_FrameAcquisitionNumber, 1);
    put(fc, DCM_FrameReferenceDateTime, dicomDateTime(stamps[static_cast<std::size_t>(k)]));
    put(fc, DCM_FrameAcquisitionDateTime, dicomDateTime(stamps[static_cast<std::size_t>(k)]));
    putFD(fc, DCM_FrameAcquisitionDuration, fmtNum(frameMs, 1).v);
    put(fc, DCM_StackID, "1");
    putUL(fc, DCM_InStackPositionNumber, static_cast<Uint32>(k + 1));
    putUL(fc, DCM_DimensionIndexValues, static_cast<Uint32>(k + 1));
    const double pos = (k - (se.frames - 1) / 2.0) * se.spacing.v;
    put(addItem(frame, DCM_PlanePositionSequence), DCM_ImagePositionPatient, geometry(se.plane, pos, se.fov.v).ipp);
    if (perFrameNex) averages(frame, se);
  }
  addPixels(ds, pixelSeed(ctx, se, 1), se.frames, false);
  saveDicom(file, dir + "/1.dcm");
}

}  // namespace

void writeMrSeries(const StudyContext& ctx, const SeriesSpec& se) {
  const std::string dir = seriesDir(ctx, se);
  if (se.enhanced) writeEnhanced(ctx, se, dir);
  else writeClassic(ctx, se, dir);
}

void writeFailCopy(const StudyContext& ctx, const Patient& other) {
  const auto& all = ctx.study.series;
  const SeriesSpec& se = all.size() > 1 ? all[1] : all.front();  // first series after the localizer
  const std::string dir = ctx.dir + "/" + std::to_string(se.number);
  DcmFileFormat file;
  if (file.loadFile((dir + "/1.dcm").c_str()).bad()) throw std::runtime_error("cannot reload " + dir + "/1.dcm");
  DcmDataset& ds = *file.getDataset();
  put(ds, DCM_SOPInstanceUID, makeUid(ctx.fleet.opt.seed, kFailCopy, ctx.study.number));
  put(ds, DCM_InstanceNumber, std::to_string(se.files + 1));
  put(ds, DCM_PatientName, ctx.text(other.name));
  put(ds, DCM_PatientID, other.id);
  put(ds, DCM_PatientBirthDate, other.birth);
  put(ds, DCM_PatientSex, other.sex);
  put(ds, DCM_PatientAge, dicomAge(other.birth, ctx.study.day));
  put(ds, DCM_PatientSize, other.height.s);
  put(ds, DCM_PatientWeight, other.weight.s);
  ds.findAndDeleteElement(DCM_OtherPatientIDsSequence);
  DcmItem& oid = addItem(ds, DCM_OtherPatientIDsSequence);
  put(oid, DCM_PatientID, other.otherId);
  put(oid, DCM_IssuerOfPatientID, "NATIONAL-REGISTRY");
  put(oid, DCM_TypeOfPatientID, "TEXT");
  const std::string name = ctx.text(other.name);
  if (ds.putAndInsertString(DcmTag(0x0019, 0x1001, EVR_LO), name.c_str(), static_cast<Uint32>(name.size())).bad())
    throw std::runtime_error("cannot set private name");
  saveDicom(file, dir + "/" + std::to_string(se.files + 1) + ".dcm");
}

}  // namespace fleetgen
