// The one de-identifying walk every source goes through: a DatasetReader (DICOM JSON, a DCMTK
// dataset) says what the sender sent; the walk decides everything else, in one place, so two
// readers of the same object give the same Instance:
//   - the VR a value is ruled and typed by (value_vr: the dictionary's, unless the sender's is
//     riskier), never the sender's alone;
//   - what the AttributeFilter does with each attribute, asked before its value is read;
//   - value typing: padding trimmed, numbers parsed from text, dates and times in ISO form,
//     person names as {"Alphabetic","Ideographic","Phonetic"} in that order;
//   - the bounds (WalkOptions): sequence nesting and attributes per instance.
// Attributes are named by keyword path
// ("SharedFunctionalGroupsSequence[0].MRAveragesSequence[0].NumberOfAverages").
#pragma once

#include "model/instance.hpp"
#include "model/reader.hpp"

namespace dicomlake::model {

// Walks one instance. Throws MalformedJson, LimitExceeded, or what the filter throws to refuse
// the instance (check_instance).
Instance walk_instance(DatasetReader& dataset, const AttributeFilter& filter, const WalkOptions& options = {});

// The same into `out`, whose attributes' memory is reused: a worker that walks every instance of
// a study into one Instance allocates only when an instance has more or longer values than the
// ones before it. `out` is overwritten whole, also when the walk throws (then it is unusable).
void walk_instance(DatasetReader& dataset, const AttributeFilter& filter, const WalkOptions& options, Instance& out);

}  // namespace dicomlake::model
