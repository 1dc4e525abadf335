//! takeout-render: result.json and HTML from a tgtakeout store (work in progress).
