//! Faults and hostile input: every corruption of a small vault, and
//! processes killed in the middle of saves and log appends.
