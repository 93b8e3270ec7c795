//! The stylesheet and script, built into the binary so that it runs from any directory.
use actix_web::{HttpResponse, http::header, web};

use crate::web::error::AppError;

const FILES: &[(&str, &str, &str)] = &[
    (
        "gatehouse.css",
        "text/css; charset=utf-8",
        include_str!("../../static/gatehouse.css"),
    ),
    (
        "gatehouse.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/gatehouse.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../../static/favicon.svg"),
    ),
];

pub async fn serve(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, body) = FILES
        .iter()
        .find(|(name, _, _)| *name == file.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, *content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(*body))
}
