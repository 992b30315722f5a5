// Package datamodel reads UMH data models and payload shapes and checks values
// against them.
//
// # File format
//
// A file is YAML in the form UMH Core's config.yaml uses, so that file itself can be
// given; top-level keys other than the two below are ignored.
//
//	payloadShapes:                 # optional; also spelled payloadshapes
//	  work-order:
//	    description: Work order record    # optional
//	    fields:
//	      orderId: {_type: string}
//	      quantity: {_type: integer}
//	      health:                         # a nested object
//	        pulse: {_type: number}
//	dataModels:                    # also spelled datamodels
//	  - name: pump
//	    description: Pump monitoring      # optional
//	    version:
//	      v1:
//	        structure:
//	          pressure:                   # a folder
//	            inlet: {_payloadshape: timeseries-number}
//	          motor:                      # the fields of another model, under motor.
//	            _refModel: {name: motor, version: v1}
//	          order: {_payloadshape: work-order}
//
// The rules are UMH's:
//   - a field of a structure is a leaf, with exactly one of _payloadshape and
//     _refModel, or a folder, with sub-fields and neither of them;
//   - _payloadshape names a built-in shape (timeseries-number, timeseries-string,
//     timeseries-boolean) or one under payloadShapes;
//   - a payload shape's field has a _type of string, number, boolean or integer, or
//     nested fields of its own;
//   - a version key is v<major> or v<major>_<minor> (major from 1, no leading zeros
//     except a minor of 0), and v1 is the same version as v1_0;
//   - _refModel names a model and version of the file; references must not form a
//     cycle.
//
// Load checks the structure of every model and shape; Resolve follows the
// references of one model version and lists its fields, the dot-joined paths a
// stream processor's mapping may write, each with its shape. Errors name the file,
// the line, the model and the field.
//
// A value matches a timeseries shape when it is a JSON value of the shape's type, and
// a custom (relational) shape when it is a JSON object with exactly the shape's
// fields, each of its declared type (integer: a number without a fraction).
package datamodel
