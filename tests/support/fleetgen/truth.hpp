// dicomlake-fleetgen: the ground truth as JSON.
#pragma once

#include <nlohmann/json.hpp>

#include "fleet.hpp"

namespace fleetgen {

nlohmann::json buildTruth(const Fleet& fleet);

}  // namespace fleetgen
