//! Charts (issue 6): filled in by the charts work.
