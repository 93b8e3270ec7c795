//! `/myaccess`: the My Access portal for every signed-in user (access packages come later).
use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use super::layout::Chrome;
use crate::auth::extract::CurrentUser;
use crate::domain::group::Group;
use crate::error::AppResult;
use crate::state::AppState;
use crate::store;

#[derive(Template, WebTemplate)]
#[template(path = "myaccess/home.html")]
pub struct MyAccessPage {
    chrome: Chrome,
    groups: Vec<Group>,
}

/// Any signed-in user; shows only their own groups.
pub async fn home(state: web::Data<AppState>, current: CurrentUser) -> AppResult<MyAccessPage> {
    let groups = store::groups::of_user(&state.db, current.user.id).await?;
    Ok(MyAccessPage {
        chrome: Chrome::my_access(&current, "myaccess")?,
        groups,
    })
}
