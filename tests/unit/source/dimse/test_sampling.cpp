#include <gtest/gtest.h>

#include "source/dimse/sampling.hpp"

namespace dicomlake::source::dimse {
namespace {

TEST(Sampling, OnlyImageSeriesLargerThanNAreSampled) {
    EXPECT_TRUE(sampled({"1.2", "MR", 40}, 3));
    EXPECT_FALSE(sampled({"1.2", "MR", 3}, 3));
    EXPECT_FALSE(sampled({"1.2", "MR", 40}, 0));   // 0: every instance
    EXPECT_FALSE(sampled({"1.2", "MR", -1}, 3));   // size unknown: whole
    EXPECT_FALSE(sampled({"1.2", "SR", 40}, 3));   // dose reports always whole
    EXPECT_FALSE(sampled({"1.2", "KO", 40}, 3));
    EXPECT_TRUE(sampled({"1.2", "CT", 400}, 1));
}

TEST(Sampling, FirstByInstanceNumberThenUid) {
    std::vector<InstanceInfo> in = {{"1.5", 3}, {"1.4", -1}, {"1.3", 1}, {"1.2", 2}, {"1.1", 1}};
    EXPECT_EQ(first_n(in, 3), (std::vector<std::string>{"1.1", "1.3", "1.2"}));
    EXPECT_EQ(first_n(in, 10).back(), "1.4");  // without an InstanceNumber: last
    EXPECT_TRUE(first_n(in, 0).empty());
}

}  // namespace
}  // namespace dicomlake::source::dimse
