//! Headers every response carries, and HEAD answered as GET.
use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{DefaultHeaders, Next};

/// A year: browsers that once reached Gatehouse over https keep to it.
const HSTS: &str = "max-age=31536000";

/// Added to responses that do not set the header themselves. `no-store` keeps signed-in
/// pages (and the sign-in form with its token) out of shared and back-button caches; the
/// stylesheet and script say how long they may be kept.
pub fn defaults(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .add(("Cache-Control", "no-store"));
    if https {
        headers.add(("Strict-Transport-Security", HSTS))
    } else {
        headers
    }
}

/// Routes are declared for GET; HEAD is the same request without the body (RFC 9110 §9.3.2).
/// The connection still knows the request was HEAD and sends the headers only, with the
/// length the body would have had.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
