#![allow(dead_code)]
pub mod cases;
