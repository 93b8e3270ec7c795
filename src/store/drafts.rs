//! `New access package` drafts, each seen only by the person who started it.
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use time::OffsetDateTime;

use crate::entities::access_package_draft;
use crate::ids::{DraftId, UserId};

/// The draft's JSON, if it is `owner`'s.
pub async fn load(
    db: &impl ConnectionTrait,
    owner: UserId,
    id: DraftId,
) -> Result<Option<String>, sea_orm::DbErr> {
    let found = access_package_draft::Entity::find_by_id(id)
        .filter(access_package_draft::Column::OwnerId.eq(owner))
        .one(db)
        .await?;
    Ok(found.map(|d| d.data))
}

pub async fn create(
    db: &impl ConnectionTrait,
    owner: UserId,
    data: String,
    now: OffsetDateTime,
) -> Result<DraftId, sea_orm::DbErr> {
    let id = DraftId::new();
    let row = access_package_draft::ActiveModel {
        id: Set(id),
        owner_id: Set(owner),
        data: Set(data),
        updated_at: Set(now),
    };
    access_package_draft::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    Ok(id)
}

pub async fn save(
    db: &impl ConnectionTrait,
    owner: UserId,
    id: DraftId,
    data: String,
    now: OffsetDateTime,
) -> Result<(), sea_orm::DbErr> {
    access_package_draft::Entity::update_many()
        .col_expr(
            access_package_draft::Column::Data,
            sea_orm::sea_query::Expr::value(data),
        )
        .col_expr(
            access_package_draft::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(access_package_draft::Column::Id.eq(id))
        .filter(access_package_draft::Column::OwnerId.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete(
    db: &impl ConnectionTrait,
    owner: UserId,
    id: DraftId,
) -> Result<bool, sea_orm::DbErr> {
    let gone = access_package_draft::Entity::delete_many()
        .filter(access_package_draft::Column::Id.eq(id))
        .filter(access_package_draft::Column::OwnerId.eq(owner))
        .exec(db)
        .await?;
    Ok(gone.rows_affected > 0)
}

/// Drafts nobody touched for `max_age` are dropped, so abandoned wizards do not pile up.
pub async fn delete_stale(
    db: &impl ConnectionTrait,
    before: OffsetDateTime,
) -> Result<u64, sea_orm::DbErr> {
    let result = access_package_draft::Entity::delete_many()
        .filter(access_package_draft::Column::UpdatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
