// SVG -> PNG for the mail: librsvg parses and lays out, cairo paints into an image surface.
#include "report/png.hpp"

#include <cairo.h>
#include <librsvg/rsvg.h>

#include <cmath>
#include <memory>
#include <stdexcept>

namespace dicomlake::report {

namespace {

constexpr int kMaxPixels = 8192;  // per side: a chart, not a poster

struct GObjectFree {
    void operator()(RsvgHandle* h) const { g_object_unref(h); }
};
struct SurfaceFree {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextFree {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using Handle = std::unique_ptr<RsvgHandle, GObjectFree>;
using Surface = std::unique_ptr<cairo_surface_t, SurfaceFree>;
using Context = std::unique_ptr<cairo_t, ContextFree>;

Handle parse(const std::string& svg) {
    GError* error = nullptr;
    RsvgHandle* h = rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &error);
    if (!h) {
        // librsvg's message names the XML problem and its line, never echoes the document.
        std::string why = error && error->message ? error->message : "unknown error";
        if (error) g_error_free(error);
        throw std::runtime_error("chart SVG does not parse: " + why);
    }
    return Handle(h);
}

// The document's aspect ratio from its width/height, else its viewBox.
double aspect(RsvgHandle* h) {
    double w = 0, hgt = 0;
    if (rsvg_handle_get_intrinsic_size_in_pixels(h, &w, &hgt) && w > 0 && hgt > 0) return hgt / w;
    gboolean has_viewbox = FALSE;
    RsvgRectangle box{};
    rsvg_handle_get_intrinsic_dimensions(h, nullptr, nullptr, nullptr, nullptr, &has_viewbox, &box);
    if (has_viewbox && box.width > 0 && box.height > 0) return box.height / box.width;
    throw std::runtime_error("chart SVG has neither a size nor a viewBox: cannot choose the PNG height");
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string svg_to_png(const std::string& svg, int width_px) {
    if (width_px < 1 || width_px > kMaxPixels)
        throw std::runtime_error("PNG width must be 1 to " + std::to_string(kMaxPixels) + " pixels");
    Handle handle = parse(svg);
    double height = std::ceil(width_px * aspect(handle.get()));
    if (!(height >= 1 && height <= kMaxPixels))
        throw std::runtime_error("chart SVG's aspect ratio gives a PNG height out of range");
    int height_px = static_cast<int>(height);

    Surface surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width_px, height_px));
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
        throw std::runtime_error("cannot allocate the PNG image");
    Context cr(cairo_create(surface.get()));
    cairo_set_source_rgb(cr.get(), 1, 1, 1);  // mail clients show transparency as black or grey
    cairo_paint(cr.get());
    RsvgRectangle viewport{0, 0, static_cast<double>(width_px), static_cast<double>(height_px)};
    GError* error = nullptr;
    if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &error)) {
        std::string why = error && error->message ? error->message : "unknown error";
        if (error) g_error_free(error);
        throw std::runtime_error("chart SVG cannot be rendered: " + why);
    }
    cairo_surface_flush(surface.get());
    std::string png;
    if (cairo_surface_write_to_png_stream(surface.get(), append, &png) != CAIRO_STATUS_SUCCESS)
        throw std::runtime_error("cannot encode the chart as PNG");
    return png;
}

}  // namespace dicomlake::report
