"""dytt's protobuf definitions and the code generated from them (`python -m protos.codegen`)."""
