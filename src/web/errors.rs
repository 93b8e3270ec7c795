//! Error pages for people who are signed in: the same page, inside their portal's layout
//! (header with their name and Sign out, navigation), so a 403 or 404 is not a dead end.
use actix_web::dev::ServiceResponse;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpMessage, Result};
use askama::Template;

use super::layout::{Chrome, ChromeUser};
use crate::web::error::{ErrorPage, ErrorParts};

pub fn in_signed_in_layout<B>(response: ServiceResponse<B>) -> Result<ErrorHandlerResponse<B>> {
    let parts = response
        .response()
        .extensions()
        .get::<ErrorParts>()
        .cloned();
    let user = response.request().extensions().get::<ChromeUser>().cloned();
    let (Some(parts), Some(user)) = (parts, user) else {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    };
    let page = ErrorPage {
        chrome: Chrome::for_error(user),
        status: parts.status,
        title: parts.title,
        message: parts.message,
    };
    let Ok(body) = page.render() else {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    };
    let (request, response) = response.into_parts();
    let response = response.set_body(body).map_into_boxed_body();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, response).map_into_right_body(),
    ))
}
