// report/png: charts rendered for the mail are real PNGs of the asked width, on white, with the
// chart's colours where the chart puts them; a broken SVG is an error, not an empty image.
#include "report/png.hpp"

#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "report/chart/chart.hpp"

namespace dicomlake::report {
namespace {

struct Reader {
    const std::string* data;
    std::size_t at = 0;
};

cairo_status_t read_chunk(void* closure, unsigned char* out, unsigned int length) {
    auto* r = static_cast<Reader*>(closure);
    if (r->at + length > r->data->size()) return CAIRO_STATUS_READ_ERROR;
    std::copy_n(r->data->data() + r->at, length, out);
    r->at += length;
    return CAIRO_STATUS_SUCCESS;
}

using Image = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

Image decode(const std::string& png) {
    Reader reader{&png};
    return Image(cairo_image_surface_create_from_png_stream(read_chunk, &reader), &cairo_surface_destroy);
}

// 0xRRGGBB of the pixel (opaque images: premultiplication changes nothing).
unsigned pixel(cairo_surface_t* image, int x, int y) {
    const unsigned char* row = cairo_image_surface_get_data(image) + y * cairo_image_surface_get_stride(image);
    std::uint32_t argb;
    std::memcpy(&argb, row + 4 * x, 4);
    return argb & 0xFFFFFF;
}

unsigned big_endian(const std::string& s, std::size_t at) {
    unsigned v = 0;
    for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
    return v;
}

std::string one_big_bar() {
    chart::Bars b;
    b.title = "One bar";
    b.description = "A single bar filling the value axis.";
    b.value = {"Studies", "", false, 0.0, 100.0};
    b.categories = {"all"};
    b.groups = {"fleet"};
    b.values = {{100.0}};
    return chart::to_svg(b);  // default size: 720 x 360
}

TEST(Png, SignatureAndHeaderWidth) {
    std::string png = svg_to_png(one_big_bar(), 600);
    ASSERT_GT(png.size(), 33u);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(png.substr(12, 4), "IHDR");
    EXPECT_EQ(big_endian(png, 16), 600u);
    EXPECT_EQ(big_endian(png, 20), 300u);  // the viewBox's 2:1
}

TEST(Png, ChartColoursInsideThePlotOnWhite) {
    Image image = decode(svg_to_png(one_big_bar(), 720));
    ASSERT_EQ(cairo_surface_status(image.get()), CAIRO_STATUS_SUCCESS);
    ASSERT_EQ(cairo_image_surface_get_width(image.get()), 720);
    cairo_surface_flush(image.get());
    EXPECT_EQ(pixel(image.get(), 0, 0), 0xFFFFFFu);  // white, not transparent black
    // The bar spans the whole value axis and most of its band: the middle of the image is in it.
    EXPECT_EQ(pixel(image.get(), 360, 190), 0x0072B2u);  // Okabe-Ito blue, the first colour
}

TEST(Png, MalformedSvgThrows) {
    EXPECT_THROW(svg_to_png("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect></svg>", 100), std::runtime_error);
    EXPECT_THROW(svg_to_png("not svg at all", 100), std::runtime_error);
    EXPECT_THROW(svg_to_png(one_big_bar(), 0), std::runtime_error);
}

}  // namespace
}  // namespace dicomlake::report
