// CT image writer: scouts and axial/helical series with per-series constant CTDIvol.
#include "writer.hpp"

namespace fleetgen {

void writeCtSeries(const StudyContext& ctx, const SeriesSpec& se) {
  const std::string dir = seriesDir(ctx, se);
  const std::vector<Stamp> stamps = acquisitionStamps(ctx.study, se, se.files);
  const Stamp content = stamps.back() + 20;
  const bool scout = se.protocol == "SCOUT";
  const bool head = se.region == "Head";
  const Vendor v = ctx.scanner.vendor;
  const double fov = head ? 250.0 : 380.0;
  const double lengthMm = se.lengthCm.v * 10;
  for (int i = 0; i < se.files; ++i) {
    DcmFileFormat file;
    DcmDataset& ds = *file.getDataset();
    addCommon(ds, ctx, se, i + 1, makeUid(ctx.fleet.opt.seed, kInstance, ctx.study.number, se.number, i + 1));
    put(ds, DCM_ImageType, scout ? "ORIGINAL\\PRIMARY\\LOCALIZER" : "ORIGINAL\\PRIMARY\\AXIAL");
    put(ds, DCM_ScanOptions, scout ? (v == Vendor::Siemens ? "TOPOGRAM" : v == Vendor::GE ? "SCOUT MODE" : "SURVIEW")
                                   : se.hasPitch ? "HELICAL MODE" : "AXIAL MODE");
    put(ds, DCM_SliceThickness, se.thk.s);
    put(ds, DCM_KVP, se.kvp.s);
    put(ds, DCM_DataCollectionDiameter, "500");
    put(ds, DCM_ReconstructionDiameter, fmtNum(fov, 1).s);
    put(ds, DCM_DistanceSourceToDetector, "1085.6");
    put(ds, DCM_DistanceSourceToPatient, "595");
    put(ds, DCM_GantryDetectorTilt, "0");
    put(ds, DCM_TableHeight, "140");
    put(ds, DCM_RotationDirection, "CW");
    put(ds, DCM_ExposureTime, std::to_string(se.exposureMs));
    put(ds, DCM_XRayTubeCurrent, std::to_string(se.mA));
    put(ds, DCM_Exposure, std::to_string(se.mAs));
    put(ds, DCM_FilterType, head ? "HEAD" : "BODY");
    put(ds, DCM_GeneratorPower, std::to_string(static_cast<int>(se.kvp.v * se.mA / 1000.0 + 0.5)));
    put(ds, DCM_FocalSpots, "1.2");
    put(ds, DCM_ConvolutionKernel, se.kernel);
    if (se.hasPitch) putFD(ds, DCM_SpiralPitchFactor, se.pitch.v);
    putFD(ds, DCM_CTDIvol, se.ctdi.v);
    addCode(ds, DCM_CTDIPhantomTypeCodeSequence, se.phantomCode, "DCM", se.phantom);
    put(ds, DCM_IrradiationEventUID, se.eventUid);
    put(ds, DCM_AcquisitionNumber, std::to_string(se.number));
    put(ds, DCM_AcquisitionDate, dicomDate(stamps[static_cast<std::size_t>(i)]));
    put(ds, DCM_AcquisitionTime, dicomTime(stamps[static_cast<std::size_t>(i)]));
    put(ds, DCM_ContentDate, dicomDate(content));
    put(ds, DCM_ContentTime, dicomTime(content));

    // Scouts are AP projections (coronal); the others step feet-ward through the scan range.
    const double z = se.files > 1 ? -lengthMm * i / (se.files - 1) : 0.0;
    if (scout) {
      put(ds, DCM_ImageOrientationPatient, "1\\0\\0\\0\\0\\-1");
      put(ds, DCM_ImagePositionPatient, dsMulti({-fov / 2, 0.0, 0.0}, 2));
      put(ds, DCM_PixelSpacing, dsMulti({fov / 16, lengthMm / 16}, 4));
    } else {
      put(ds, DCM_ImageOrientationPatient, "1\\0\\0\\0\\1\\0");
      put(ds, DCM_ImagePositionPatient, dsMulti({-fov / 2, -fov / 2, z}, 2));
      put(ds, DCM_SliceLocation, fmtNum(z, 2).s);
      put(ds, DCM_PixelSpacing, dsMulti({fov / 16, fov / 16}, 4));
    }
    put(ds, DCM_RescaleIntercept, "-1024");
    put(ds, DCM_RescaleSlope, "1");
    put(ds, DCM_RescaleType, "HU");
    put(ds, DCM_WindowCenter, head ? "40" : se.region == "Chest" ? "-600" : "50");
    put(ds, DCM_WindowWidth, head ? "80" : se.region == "Chest" ? "1500" : "400");
    const std::uint64_t seed = mix64(ctx.fleet.opt.seed) ^ (static_cast<std::uint64_t>(ctx.study.number) << 32) ^
                               (static_cast<std::uint64_t>(se.number) << 16) ^ static_cast<std::uint64_t>(i + 1);
    addPixels(ds, seed, 1, true);
    saveDicom(file, dir + "/" + std::to_string(i + 1) + ".dcm");
  }
}

}  // namespace fleetgen
